import os
from pathlib import Path

import environ

# __file__ is config/settings/__init__.py: components run in its namespace (django-split-settings).
BASE_DIR = Path(__file__).resolve().parent.parent.parent
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
    "django.middleware.locale.LocaleMiddleware",  # the language cookie, else Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.AccountLanguageMiddleware",  # a signed-in person's saved language, when no cookie says
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
                "django.template.context_processors.i18n",
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
