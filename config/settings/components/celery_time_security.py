from csp.constants import NONCE as CSP_NONCE

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

# Languages (issue 16; docs/i18n.md). The language is a cookie, not a URL prefix: the links in emails already sent
# (tokens, orders) stay the same in every language. LocaleMiddleware reads the cookie, then Accept-Language on a first
# visit; a signed-in person's saved language comes before Accept-Language (accounts.middleware). The default
# language's text is what every catalogue translates, and what an email falls back to.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "French"), ("de", "German")]
# Each app carries its own catalogues (<app>/locale/); the project's own templates and config use locale/.
# locale_overrides/ rewrites third-party wording (django-allauth's German says "du"; the shop says "Sie"): Django reads
# LOCALE_PATHS before every app's catalogue, so an entry there replaces the app's translation of the same msgid.
# makemessages never writes into it (it writes to folders named `locale` and, for a file outside any, to the FIRST
# entry here: keep locale/ first); compilemessages compiles every LOCALE_PATHS entry. See docs/i18n.md.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
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
LANGUAGE_COOKIE_SECURE = HTTPS
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
