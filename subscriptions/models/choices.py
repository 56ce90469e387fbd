"""The choices every model shares: message kinds, frequencies, suppression reasons."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    """What an email is, carried as an anymail tag so webhooks and logs can tell them apart. The host adds its own
    transactional kinds (orders, shipping...) with SUBSCRIPTIONS_MESSAGE_KINDS."""

    ACCOUNT = "account", _("Account")
    SERVICE = "service", _("Service announcement")
    COMMERCIAL = "commercial", _("Commercial")


def message_kind_choices() -> list[tuple[str, str]]:
    """Every kind an email may have: subscriptions' own and the host's SUBSCRIPTIONS_MESSAGE_KINDS."""
    from ..app_settings import app_settings

    return [*MessageKind.choices, *app_settings.MESSAGE_KINDS.items()]


class Frequency(models.TextChoices):
    TWICE_WEEKLY = "twice_weekly", _("Twice a week")
    WEEKLY = "weekly", _("Once a week")
    MONTHLY = "monthly", _("Once a month")
    PAUSED = "paused", _("Paused")


SENDING_FREQUENCIES = [Frequency.TWICE_WEEKLY, Frequency.WEEKLY, Frequency.MONTHLY]


class SuppressionReason(models.TextChoices):
    """Why nothing commercial may go to an address: on a Subscriber and on the suppression list alike."""

    BOUNCE = "bounce", _("Hard bounce")
    SOFT_BOUNCES = "soft_bounces", _("Repeated soft bounces")
    COMPLAINT = "complaint", _("Spam complaint")
    ESP_UNSUBSCRIBE = "esp_unsubscribe", _("Unsubscribed at the email provider")
    ERASURE = "erasure", _("Address of an erased account")
