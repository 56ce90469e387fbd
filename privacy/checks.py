"""System checks of the PRIVACY_* settings (`manage.py check`), and the deploy checks (`check --deploy`) of the
keys privacy's hashes and every signed link depend on: a public or missing key lets anyone forge what it signs
(allauth confirmation keys, unsubscribe and export links) and reverse what it hashes (the ad partner's feed).
Each is an Error, so a deploy check fails on it."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .app_settings import app_settings

MIN_KEY_LENGTH = 32
POSITIVE_INTEGERS = [
    "CONSENT_COOKIE_DAYS",
    "ACCESS_LOG_RETENTION_DAYS",
    "ACCESS_LOG_IP_DAYS",
    "ACCESS_LOG_PURGE_BATCH",
    "ORDER_RETENTION_YEARS",
    "EXPORT_DAYS",
    "REQUEST_DUE_DAYS",
]


@register()
def privacy_settings(app_configs, **kwargs) -> list[Error]:
    problems = []
    for name in POSITIVE_INTEGERS:
        value = getattr(app_settings, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(Error(f"PRIVACY_{name} must be a positive integer.", id="privacy.E001"))
    if problems:
        return problems
    if app_settings.ACCESS_LOG_IP_DAYS > app_settings.ACCESS_LOG_RETENTION_DAYS:
        problems.append(
            Error(
                "PRIVACY_ACCESS_LOG_IP_DAYS is longer than PRIVACY_ACCESS_LOG_RETENTION_DAYS: full IPs would outlive "
                "their rows' retention.",
                id="privacy.E002",
            )
        )
    if len(app_settings.AD_FEED_HASH_KEY) < MIN_KEY_LENGTH:
        problems.append(
            Error(f"PRIVACY_AD_FEED_HASH_KEY needs at least {MIN_KEY_LENGTH} characters.", id="privacy.E003")
        )
    if not app_settings.ERASED_EMAIL_DOMAIN.endswith(".invalid"):
        problems.append(
            Error(
                "PRIVACY_ERASED_EMAIL_DOMAIN must be under .invalid, so an erased address can never receive mail.",
                id="privacy.E004",
            )
        )
    for pattern in app_settings.ACCESS_LOG_TOKEN_PATTERNS:
        try:
            groups = re.compile(pattern).groups
        except (re.error, TypeError):
            groups = 0
        if groups < 1:
            problems.append(
                Error(
                    f"PRIVACY_ACCESS_LOG_TOKEN_PATTERNS: {pattern!r} is not a regex with a group 1 (the part kept "
                    "before the token).",
                    id="privacy.E005",
                )
            )
    if "privacy.middleware.AccessLogMiddleware" in settings.MIDDLEWARE and not app_settings.ACCESS_LOG_PATH_PREFIXES:
        problems.append(
            Warning(
                "AccessLogMiddleware is installed but PRIVACY_ACCESS_LOG_PATH_PREFIXES is empty: it logs nothing.",
                hint="List the paths of your account, privacy and token pages, e.g. ['/accounts/', '/privacy/'].",
                id="privacy.W001",
            )
        )
    return problems


# Django's startproject keys and its own deploy check use this prefix for keys not meant for production.
INSECURE_PREFIX = "django-insecure"
DEPLOY_KEY_LENGTH = 50


def is_weak_key(value: str) -> bool:
    """Empty, short, Django's "django-insecure-" kind, or the development default written in the settings."""
    default = getattr(settings, "INSECURE_DEFAULT_SECRET_KEY", None)
    return (
        not value
        or len(value) < DEPLOY_KEY_LENGTH
        or len(set(value)) < 5
        or value.startswith(INSECURE_PREFIX)
        or (default is not None and value == default)
    )


def derived_key_errors(name: str, check_id: str) -> list[Error]:
    """A key that falls back to one derived from SECRET_KEY must be set on its own, and strong."""
    value = getattr(settings, name, "") or ""
    if not value or value == settings.SECRET_KEY:
        return [
            Error(
                f"{name} is not set: it falls back to a key derived from SECRET_KEY.",
                hint=f"Set {name} to its own long random value (keep it when you rotate SECRET_KEY).",
                id=check_id,
            )
        ]
    if is_weak_key(value):
        return [Error(f"{name} is too weak.", hint=f"Use at least {DEPLOY_KEY_LENGTH} random characters.", id=check_id)]
    return []


@register(Tags.security, deploy=True)
def check_secret_keys(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    if is_weak_key(settings.SECRET_KEY):
        errors.append(
            Error(
                "SECRET_KEY is missing, too short or the public development default: anyone can forge "
                "confirmation, password-reset, unsubscribe and export links.",
                hint=f"Set SECRET_KEY to at least {DEPLOY_KEY_LENGTH} random characters, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="privacy.E010",
            )
        )
    errors += derived_key_errors("PRIVACY_AD_FEED_HASH_KEY", "privacy.E011")
    return errors
