"""System checks of the PRIVACY_* settings (`manage.py check`)."""

from __future__ import annotations

from django.core.checks import Error, register

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
    return problems
