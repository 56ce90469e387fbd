LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No email address or token in any log line: every handler's formatter redacts them (privacy/log_redaction.py).
    "formatters": {
        "redacted": {"()": "privacy.log_redaction.RedactingFormatter", "format": "%(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "redacted"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# ---------------------------------------------------------------------------------------------------------------
# Operations (issue 18; docs/deploy.md): health checks, metrics, JSON logs, the cache fallback, the task outbox,
# broker settings for Redis and RabbitMQ, PgBouncer. Kept in one block.
# ---------------------------------------------------------------------------------------------------------------
INSTALLED_APPS = ["outbox", *INSTALLED_APPS]
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    *MIDDLEWARE,
    "config.middleware.DatabaseUnavailableMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# /metrics/ answers only with "Authorization: Bearer <METRICS_TOKEN>"; unset, it is a 404 for everyone.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_QUEUES = env.list("METRICS_QUEUES", default=[])  # queues besides the default whose depth is reported
OUTBOX_RELAY_AFTER_SECONDS = env.int("OUTBOX_RELAY_AFTER_SECONDS", default=30)

# Rate limits live in the cache: while Redis is down they fall back to each process's memory (config/cache.py).
if REDIS_URL:
    CACHES["default"]["BACKEND"] = "config.cache.FallbackRedisCache"

# The broker: Redis (REDIS_URL) unless CELERY_BROKER_URL names another, e.g. RabbitMQ (amqp://user:pass@host:5672//).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=CELERY_BROKER_URL)
if CELERY_BROKER_URL.startswith(("amqp://", "amqps://", "pyamqp://")):
    # RabbitMQ redelivers an unacknowledged message when the consumer's channel closes, and closes a channel
    # holding one longer than its consumer_timeout (30 min by default): no visibility timeout to tune.
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    CELERY_BROKER_HEARTBEAT = 60
else:
    # Redis redelivers an unacknowledged task after the visibility timeout: longer than the longest task.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# PgBouncer in transaction pooling mode (DATABASE_URL pointing at it, PGBOUNCER=1): no server-side cursors
# (.iterator() would hold a cursor across transactions) and no persistent connections held by Django.
if env.bool("PGBOUNCER", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # psycopg prepares a statement after 5 runs; the next transaction may run on another server connection.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None

# LOG_FORMAT=json: one JSON object per line, redacted like the text format.
if env("LOG_FORMAT", default="text") == "json":
    LOGGING["formatters"]["redacted"] = {"()": "privacy.log_redaction.RedactingJsonFormatter"}
