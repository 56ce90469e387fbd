"""Settings, read from the environment (django-environ). Every variable and its default is listed in the README."""

import json
import os
from pathlib import Path

import environ
from csp.constants import NONCE as CSP_NONCE

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Demo mode (`make demo` sets DEMO=1): installs the demo app (seed_demo, the demo mailbox) and the file mail sink.
# `manage.py check --deploy` fails while it is on.
DEMO = env.bool("DEMO", default=False)
# The default is public (it is in this file): `check --deploy` refuses it, and every key derived from it
# (privacy/checks.py). Django's own deploy check recognises the "django-insecure-" prefix too.
INSECURE_DEFAULT_SECRET_KEY = "django-insecure-development-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
HTTPS = SITE_URL.startswith("https://")

INSTALLED_APPS = [
    "config.apps.ShopAdminConfig",  # django.contrib.admin with config.admin.ShopAdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth.usersessions' session list
    "django.contrib.sites",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "csp",
    "anymail",
    "django_countries",
    "phonenumber_field",
    "django_celery_beat",
    "privacy",
    "subscriptions",
    "accounts",
    "shop",
    "reviews",
]
if DEMO:
    INSTALLED_APPS += ["demo"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "privacy.content_security.ContentSecurityPolicyMiddleware",
    "config.middleware.MalformedUrlMiddleware",  # NUL bytes, bad UTF-8, overlong URLs: 400 before any view
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "privacy.middleware.ConsentMiddleware",
    "privacy.middleware.AccessLogMiddleware",
]

ROOT_URLCONF = "config.urls"
# Form templates resolve through TEMPLATES, so templates/django/forms/ can override Django's (checkbox beside its
# label, the error summary at the top of every form).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.shop",
                "shop.context_processors.cart",
                "privacy.context_processors.policy_review",
            ],
        },
    },
]

if DEMO:
    TEMPLATES[0]["OPTIONS"]["context_processors"].append("demo.context_processors.demo")

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a new PostgreSQL connection per request cost 5-20 ms and a server process fork (make load,
# docs/deploy.md). The health check re-opens one that died (PostgreSQL restarted) before the request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
# pytest-xdist workers share one Redis: each gets its own key prefix.
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="spc") + os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "KEY_FUNCTION": "accounts.rate_limits.cache_key",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "accounts.rate_limits.cache_key",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"

# django-allauth: email is the login, verification is mandatory, nobody learns whether an address is known.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
# One address per account; a new one replaces it only once its owner confirmed it (no squatting on others').
ACCOUNT_CHANGE_EMAIL = True
# Password changed, email changed, a sign-in method added or removed: the account's owner hears of it.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
# Failed sign-ins count per IP and per (IP, account) (accounts.adapter keys them so): nobody can lock an owner out
# from elsewhere. Every IP is hashed before it becomes a cache key (accounts/rate_limits.py).
ACCOUNT_RATE_LIMITS = {
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_email": "5/m/ip",
    "confirm_email": "1/3m/key",
}

# Two-factor sign-in (allauth.mfa): TOTP apps, WebAuthn security keys and passkeys, recovery codes. Staff need one
# before any admin page opens (config/admin.py).
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env("SHOP_NAME", default="Example Shop")
# WebAuthn needs a secure origin; plain http is accepted only for local runs (SITE_URL not https).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not HTTPS
# allauth.usersessions: shoppers see their signed-in browsers and end the others (the list keeps IP and browser).
USERSESSIONS_TRACK_ACTIVITY = False

# Mail. Unset: Django's SMTP backend (EMAIL_HOST, EMAIL_PORT...); production sets an anymail ESP backend. In demo
# mode every email lands as a file under var/mail/ instead, listed by the demo mailbox.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="demo.mailbox.FileMailboxBackend" if DEMO else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
MAILBOX_DIR = Path(env("MAILBOX_DIR", default=str(VAR_DIR / "mail")))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Example Shop <shop@example.com>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Every ANYMAIL_* variable goes into anymail's settings, e.g. ANYMAIL_POSTMARK_SERVER_TOKEN.
# *_PARAMS and REQUESTS_TIMEOUT values are JSON: ANYMAIL_AMAZON_SES_CLIENT_PARAMS={"region_name": …}.
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): json.loads(value) if key.endswith(("_PARAMS", "REQUESTS_TIMEOUT")) else value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_")
}

# Celery. Without REDIS_URL tasks run eagerly in the web process (the zero-setup demo).
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # a host, or kombu warns on every eager task
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING below, redaction included
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = env("SHOP_TIME_ZONE", default="Europe/Paris")

LANGUAGE_CODE = "en"
# Pages, emails and the admin show times on the shop's clock (Paris by default); the database stores UTC.
SHOP_TIME_ZONE = CELERY_TIMEZONE
TIME_ZONE = SHOP_TIME_ZONE
# One way to write a date everywhere: config/formats/<language>/formats.py ("29 November 2026, 16:08").
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
SITE_ID = 1

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # collectstatic writes the manifest in production; runs without it (demo, tests) use plain storage.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if (STATIC_ROOT / "staticfiles.json").exists()
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
PHONENUMBER_DEFAULT_REGION = env("PHONENUMBER_DEFAULT_REGION", default=None)
PHONENUMBER_DEFAULT_FORMAT = "E164"

# Security: secure by default whenever the site is served over HTTPS.
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# Sign-in rate limits count per client IP: behind a proxy, the client is the last X-Forwarded-For hop it added
# (otherwise every visitor would share the proxy's address, and its budget).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=1 if BEHIND_PROXY else 0)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp): our own origin only, a per-request nonce for inline
# scripts, and the ad partner's origin added only to pages where the consent tags render its script
# (privacy.content_security.ContentSecurityPolicyMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'"],
        # allauth's email page hides one form with style="display: none": that exact attribute, nothing else.
        "style-src-attr": ["'unsafe-hashes'", "'sha256-ZdHxw9eWtnxUb3mk6tBS+gIiVUPE3pGM470keHPDFlE='"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# The shop as it presents itself in pages and email footers.
SHOP_NAME = env("SHOP_NAME", default="Example Shop")
SHOP_POSTAL_ADDRESS = env("SHOP_POSTAL_ADDRESS", default="Example Shop, 1 Market Street, 75001 Paris, France")

# The reusable apps' own settings: each default lives only in the app's app_settings.py. The shop wires its own
# identity into them, and any of the variables below, when set in the environment, overrides the app's default.
SUBSCRIPTIONS_SITE_NAME = SHOP_NAME
SUBSCRIPTIONS_SITE_URL = SITE_URL
SUBSCRIPTIONS_POSTAL_ADDRESS = SHOP_POSTAL_ADDRESS
SUBSCRIPTIONS_TIME_ZONE = SHOP_TIME_ZONE
PRIVACY_AD_FEED_DIR = VAR_DIR / "ad-feed"
# The shop's own transactional kinds (shop.emails.ShopEmailKind, reviews.emails.KIND), tagged on its emails and in
# the sent-email log.
SUBSCRIPTIONS_MESSAGE_KINDS = {
    "order": "Order",
    "shipping": "Shipping",
    "support": "Customer service",
    "contest": "Contest result (winners only)",
    "review": "Review confirmation",
}
if "MAILING_SLOTS" in os.environ:
    SUBSCRIPTIONS_MAILING_SLOTS = env("MAILING_SLOTS")
_APP_VARIABLES = {
    "SUBSCRIPTIONS_WEEKLY_CAP": int,
    "SUBSCRIPTIONS_SEND_BATCH_SIZE": int,
    "SUBSCRIPTIONS_SEND_CHUNK": int,
    "SUBSCRIPTIONS_SEND_LEASE_SECONDS": int,
    "SUBSCRIPTIONS_SEND_MAX_ATTEMPTS": int,
    "SUBSCRIPTIONS_SEND_RETRIES": int,
    "SUBSCRIPTIONS_SEND_RETRY_BACKOFF": float,
    "SUBSCRIPTIONS_SEND_RETRY_MAX_WAIT": float,
    "SUBSCRIPTIONS_SEND_CONCURRENCY": int,
    "SUBSCRIPTIONS_SEND_PIPELINE": int,
    "SUBSCRIPTIONS_SUPPRESSION_KEY": str,
    "SUBSCRIPTIONS_UNSUBSCRIBE_MAILTO": str,
    "ACCOUNTS_AGE_REFUSAL_HOURS": int,
    "ACCOUNTS_AGE_PASS_DAYS": int,
    "ACCOUNTS_ATTESTATION_VERSION": str,
    "PRIVACY_ACCESS_LOG_RETENTION_DAYS": int,
    "PRIVACY_ACCESS_LOG_IP_DAYS": int,
    "PRIVACY_AD_FEED_HASH_KEY": str,
    "PRIVACY_ORDER_RETENTION_YEARS": int,
}
globals().update({name: env(name, cast=cast) for name, cast in _APP_VARIABLES.items() if name in os.environ})
if "SUBSCRIPTIONS_SEND_RATE_LIMITS" in os.environ:  # e.g. Postmark=100,Amazon SES=14 (calls/s per worker process)
    SUBSCRIPTIONS_SEND_RATE_LIMITS = {
        name.strip(): float(rate) for name, rate in env.dict("SUBSCRIPTIONS_SEND_RATE_LIMITS").items()
    }
# The only pages where third-party tags may run (with consent): catalogue and content pages. Never checkout,
# payment, orders, account, privacy, token or admin pages (tests/privacy/test_tag_allow_list.py crawls them all).
PRIVACY_TAG_PAGES = ["home", "shop:product_list", "shop:product", "shop:contests", "shop:contest_winners"]
# Signed-in requests under these paths go to the AccessLog (account, privacy and token pages); the secret segment
# after each token URL's prefix is stored as "<token>". Privacy knows none of these paths: the host mounts them.
PRIVACY_ACCESS_LOG_PATH_PREFIXES = ["/accounts/", "/privacy/", "/preferences/", "/unsubscribe/", "/subscribe/"]
PRIVACY_ACCESS_LOG_TOKEN_PATTERNS = [
    r"^(/unsubscribe/)[^/]+",
    r"^(/preferences/)[^/]+",
    r"^(/subscribe/confirm/)[^/]+",
    r"^(/accounts/confirm-email/)[^/]+",
    r"^(/accounts/password/reset/key/)[^/]+",
    r"^(/privacy/request/)[^/]+",
]

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
