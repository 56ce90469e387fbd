"""Subscribers (an address, maybe an account), their subscriptions and the suppression list."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext_lazy as _

from .choices import Frequency, SuppressionReason
from .topics import Topic


def new_secret_key() -> str:
    return secrets.token_hex(32)


class Subscriber(models.Model):
    """One per normalised email address (lower-cased, stripped); a guest or linked to an account."""

    email = models.EmailField(max_length=254, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriber"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the address was proven (double opt-in or account email confirmation)."
    )
    unsubscribed_all_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=16, choices=SuppressionReason.choices, blank=True, default="")
    suppressed_at = models.DateTimeField(null=True, blank=True)
    soft_bounce_count = models.PositiveSmallIntegerField(default=0, editable=False)
    secret_key = models.CharField(max_length=64, default=new_secret_key, editable=False)
    key_rotated_at = models.DateTimeField(null=True, blank=True)
    # One of settings.LANGUAGES (set from the page they subscribed on, changeable in the preference center); empty:
    # the shop's default language. Every email to this address is written in it.
    language = models.CharField(
        _("language"), max_length=16, blank=True, db_default="", help_text=_("The language of this address's emails.")
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower(Trim("email"))), name="subscriptions_subscriber_email_normalised"
            ),
            models.CheckConstraint(
                condition=(models.Q(suppressed_reason="") & models.Q(suppressed_at__isnull=True))
                | (~models.Q(suppressed_reason="") & models.Q(suppressed_at__isnull=False)),
                name="subscriptions_subscriber_suppression_has_reason_and_time",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def ledger_subject(self) -> str:
        return f"subscriber:{self.pk}"

    @property
    def masked_email(self) -> str:
        local, _at, domain = self.email.partition("@")
        return f"{local[:1]}•••@{domain}"


class Subscription(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Active")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="subscriptions")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="subscriptions")
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    paused_until = models.DateField(
        null=True, blank=True, help_text="Nothing is sent up to and including this date; then the frequency resumes."
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic__position", "topic_id"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "topic"], name="subscriptions_one_per_subscriber_and_topic"),
            models.CheckConstraint(
                condition=models.Q(frequency__in=Frequency.values), name="subscriptions_subscription_frequency_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "active", "unsubscribed"]),
                name="subscriptions_subscription_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} · {self.topic}"


class Suppression(models.Model):
    """Addresses that must never receive commercial email, kept as a keyed hash (so erasure can keep it too)."""

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=16, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.email_hash[:12]}…)"
