"""Deploy checks (`manage.py check --deploy`) of the subscriptions settings."""

from __future__ import annotations

from django.core.checks import Error, Tags, register

from privacy.checks import derived_key_errors


@register(Tags.security, deploy=True)
def check_suppression_key(app_configs=None, **kwargs) -> list[Error]:
    """The suppression list and the sent-email log hash addresses with this key: derived from SECRET_KEY, a public
    default key makes every hash reversible by trying addresses, and a rotation would empty the list."""
    return derived_key_errors("SUBSCRIPTIONS_SUPPRESSION_KEY", "subscriptions.E001")
