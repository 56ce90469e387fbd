"""Deploy checks (`manage.py check --deploy`) of the keys privacy's hashes and every signed link depend on.

A public or missing key lets anyone forge what it signs (allauth confirmation keys, unsubscribe and export links)
and reverse what it hashes (the ad partner's feed). Each is an Error, so a deploy check fails on it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

# Django's startproject keys and its own deploy check use this prefix for keys not meant for production.
INSECURE_PREFIX = "django-insecure"
MIN_KEY_LENGTH = 50


def is_weak_key(value: str) -> bool:
    """Empty, short, Django's "django-insecure-" kind, or the development default written in the settings."""
    default = getattr(settings, "INSECURE_DEFAULT_SECRET_KEY", None)
    return (
        not value
        or len(value) < MIN_KEY_LENGTH
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
        return [Error(f"{name} is too weak.", hint=f"Use at least {MIN_KEY_LENGTH} random characters.", id=check_id)]
    return []


@register(Tags.security, deploy=True)
def check_secret_keys(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    if is_weak_key(settings.SECRET_KEY):
        errors.append(
            Error(
                "SECRET_KEY is missing, too short or the public development default: anyone can forge "
                "confirmation, password-reset, unsubscribe and export links.",
                hint=f"Set SECRET_KEY to at least {MIN_KEY_LENGTH} random characters, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="privacy.E001",
            )
        )
    errors += derived_key_errors("PRIVACY_AD_FEED_HASH_KEY", "privacy.E002")
    return errors
