"""Settings of a bare host project: Django's contrib apps, anymail, `privacy` and `subscriptions`, nothing of the
shop (no accounts, shop, reviews, demo, allauth or django-celery-beat). The host names itself to its subscribers;
every other PRIVACY_* and SUBSCRIPTIONS_* setting is left at the default in the app's app_settings.py."""

import os

import environ

env = environ.Env()

SECRET_KEY = "reuse-host-project-secret-key-for-tests-only-0123456789abcdefghij"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "anymail",
    "outbox",  # the task outbox privacy and subscriptions enqueue through (no dependency of its own)
    "privacy",
    "subscriptions",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.reuse.host.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": env.db("REUSE_DATABASE_URL")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "static/"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "Host Shop <news@host.example>"
SUBSCRIPTIONS_SITE_NAME = "Host Shop"
SUBSCRIPTIONS_POSTAL_ADDRESS = "Host Shop, 2 Harbour Road, 13002 Marseille, France"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
