"""System checks of the subscriptions settings."""

from __future__ import annotations

from django.core.checks import Error, Tags, register

from .webhooks import webhook_secret


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
                id="subscriptions.E001",
            )
        ]
    return []
