"""System checks of the SUBSCRIPTIONS_* settings (`manage.py check`): a typo fails at start-up, not at the first
mailing slot."""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.checks import Error, Tags, Warning, register

from .app_settings import app_settings
from .webhooks import webhook_secret

MIN_KEY_LENGTH = 32
POSITIVE_INTEGERS = [
    "TOKEN_MAX_AGE_DAYS",
    "CONFIRM_MAX_AGE_DAYS",
    "SUBSCRIBE_RATE_PER_IP",
    "SUBSCRIBE_RATE_PER_ADDRESS",
    "PAUSE_MAX_DAYS",
    "FEWER_EMAILS_PAUSE_DAYS",
    "SEND_BATCH_SIZE",
    "SEND_CHUNK",
    "SEND_LEASE_SECONDS",
    "SEND_MAX_ATTEMPTS",
    "SMTP_CONNECTIONS",
    "SOFT_BOUNCE_LIMIT",
    "WEEKLY_CAP",
]


@register()
def subscriptions_settings(app_configs, **kwargs) -> list[Error | Warning]:
    from .schedule import InvalidSlot, configured_slots

    problems: list[Error | Warning] = []
    try:
        slots = configured_slots()
    except InvalidSlot as error:
        problems.append(Error(f"SUBSCRIPTIONS_MAILING_SLOTS: {error}", id="subscriptions.E001"))
    else:
        cap = app_settings.WEEKLY_CAP
        if isinstance(cap, int) and not isinstance(cap, bool) and 0 < cap < len(slots):
            problems.append(
                Warning(
                    f"SUBSCRIPTIONS_WEEKLY_CAP is {cap} but there are {len(slots)} mailing slots a week: "
                    f"twice-weekly readers will miss the slots after the first {cap} each week.",
                    hint="Raise the cap to the number of slots, or remove slots.",
                    id="subscriptions.W002",
                )
            )
    try:
        ZoneInfo(app_settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            Error(f"SUBSCRIPTIONS_TIME_ZONE {app_settings.TIME_ZONE!r} is not a time zone.", id="subscriptions.E002")
        )
    url = urlsplit(app_settings.SITE_URL)
    if url.scheme not in {"http", "https"} or not url.hostname:
        problems.append(
            Error(
                "SUBSCRIPTIONS_SITE_URL must be an absolute http(s) URL: every link in an email starts with it.",
                id="subscriptions.E003",
            )
        )
    for name in POSITIVE_INTEGERS:
        value = getattr(app_settings, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(Error(f"SUBSCRIPTIONS_{name} must be a positive integer.", id="subscriptions.E004"))
    pipeline = app_settings.SEND_PIPELINE
    if not isinstance(pipeline, int) or isinstance(pipeline, bool) or pipeline < 0:
        problems.append(Error("SUBSCRIPTIONS_SEND_PIPELINE must be 0 or a positive integer.", id="subscriptions.E004"))
    key = app_settings.SUPPRESSION_KEY
    if len(key) < MIN_KEY_LENGTH:
        problems.append(
            Error(
                f"The suppression list's key (SUBSCRIPTIONS_SUPPRESSION_KEY, else SECRET_KEY) needs at least "
                f"{MIN_KEY_LENGTH} characters.",
                id="subscriptions.E005",
            )
        )
    if not app_settings.POSTAL_ADDRESS.strip():
        problems.append(
            Warning(
                "SUBSCRIPTIONS_POSTAL_ADDRESS is empty: commercial email must carry the sender's postal address.",
                id="subscriptions.W001",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def check_suppression_key(app_configs=None, **kwargs) -> list[Error]:
    """Deploy: the suppression list and the sent-email log hash addresses with this key; left to fall back on
    SECRET_KEY (public by default), every hash is reversible by trying addresses, and a rotation empties the list."""
    from privacy.checks import derived_key_errors

    return derived_key_errors("SUBSCRIPTIONS_SUPPRESSION_KEY", "subscriptions.E010")


@register(Tags.security, deploy=True)
def check_webhook_secret(app_configs, **kwargs) -> list[Error]:
    """The ESP's tracking webhooks suppress addresses and write the consent ledger: never without authentication."""
    secrets = webhook_secret()
    secrets = [secrets] if isinstance(secrets, str) else list(secrets)
    if not secrets or not all(isinstance(s, str) and ":" in s and len(s) >= 24 for s in secrets):
        return [
            Error(
                "ANYMAIL_WEBHOOK_SECRET is not set (or is not a long random 'user:password'): the ESP tracking "
                "webhooks would be closed, so bounces and complaints would never suppress an address.",
                hint="Set ANYMAIL_WEBHOOK_SECRET to a random 'user:password' and give the ESP the webhook URL "
                "https://user:password@your-site/anymail/<esp>/tracking/ (docs/mailing.md).",
                id="subscriptions.E011",
            )
        ]
    return []
