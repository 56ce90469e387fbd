"""The choices every model shares: message kinds, frequencies, suppression reasons."""

from django.db import models


class MessageKind(models.TextChoices):
    """What an email is, carried as an anymail tag so webhooks and logs can tell them apart. The host adds its own
    transactional kinds (orders, shipping...) with SUBSCRIPTIONS_MESSAGE_KINDS."""

    ACCOUNT = "account", "Account"
    SERVICE = "service", "Service announcement"
    COMMERCIAL = "commercial", "Commercial"


def message_kind_choices() -> list[tuple[str, str]]:
    """Every kind an email may have: subscriptions' own and the host's SUBSCRIPTIONS_MESSAGE_KINDS."""
    from ..app_settings import app_settings

    return [*MessageKind.choices, *app_settings.MESSAGE_KINDS.items()]


class Frequency(models.TextChoices):
    TWICE_WEEKLY = "twice_weekly", "Twice a week"
    WEEKLY = "weekly", "Once a week"
    MONTHLY = "monthly", "Once a month"
    PAUSED = "paused", "Paused"


SENDING_FREQUENCIES = [Frequency.TWICE_WEEKLY, Frequency.WEEKLY, Frequency.MONTHLY]


class SuppressionReason(models.TextChoices):
    """Why nothing commercial may go to an address: on a Subscriber and on the suppression list alike."""

    BOUNCE = "bounce", "Hard bounce"
    SOFT_BOUNCES = "soft_bounces", "Repeated soft bounces"
    COMPLAINT = "complaint", "Spam complaint"
    ESP_UNSUBSCRIBE = "esp_unsubscribe", "Unsubscribed at the email provider"
    ERASURE = "erasure", "Address of an erased account"
