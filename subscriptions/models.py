import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower, Trim


class MessageKind(models.TextChoices):
    """What an email is, carried as an anymail tag so webhooks and logs can tell them apart."""

    ACCOUNT = "account", "Account"
    ORDER = "order", "Order"
    SHIPPING = "shipping", "Shipping"
    SUPPORT = "support", "Customer service"
    SERVICE = "service", "Service announcement"
    COMMERCIAL = "commercial", "Commercial"


class Frequency(models.TextChoices):
    TWICE_WEEKLY = "twice_weekly", "Twice a week"
    WEEKLY = "weekly", "Once a week"
    MONTHLY = "monthly", "Once a month"
    PAUSED = "paused", "Paused"


SENDING_FREQUENCIES = [Frequency.TWICE_WEEKLY, Frequency.WEEKLY, Frequency.MONTHLY]


def new_secret_key() -> str:
    return secrets.token_hex(32)


class Topic(models.Model):
    """Something a person can subscribe to. Staff edit topics; the three launch topics come from a data migration."""

    slug = models.SlugField(
        max_length=64, unique=True, help_text="Used in links and the consent ledger; never change it."
    )
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    allowed_frequencies = models.JSONField(
        default=list, help_text='The frequencies offered, e.g. ["twice_weekly", "weekly", "monthly"].'
    )
    default_frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.WEEKLY)
    is_active = models.BooleanField(default=True, help_text="Inactive topics are hidden and nothing is sent for them.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        allowed = self.allowed_frequencies
        if not isinstance(allowed, list) or not allowed or not set(allowed) <= set(SENDING_FREQUENCIES):
            raise ValidationError({"allowed_frequencies": "Choose at least one of twice a week, weekly, monthly."})
        if self.default_frequency not in allowed:
            raise ValidationError({"default_frequency": "The default must be one of the allowed frequencies."})

    @property
    def frequency_choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in Frequency.choices if value in self.allowed_frequencies]


class Subscriber(models.Model):
    """One per normalised email address (lower-cased, stripped); a guest or linked to an account."""

    class SuppressedReason(models.TextChoices):
        NONE = "", "Not suppressed"
        BOUNCE = "bounce", "Hard bounce"
        COMPLAINT = "complaint", "Spam complaint"

    email = models.EmailField(max_length=254, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriber"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the address was proven (double opt-in or account email confirmation)."
    )
    unsubscribed_all_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=16, choices=SuppressedReason.choices, blank=True, default="")
    suppressed_at = models.DateTimeField(null=True, blank=True)
    secret_key = models.CharField(max_length=64, default=new_secret_key, editable=False)
    key_rotated_at = models.DateTimeField(null=True, blank=True)

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
        local, _, domain = self.email.partition("@")
        return f"{local[:1]}•••@{domain}"


class Subscription(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

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


class AlertItem(models.Model):
    """Something new (a brand, a product style) waiting for the alerts topic's next slot edition."""

    topic_slug = models.SlugField(max_length=64, default="new-brands-and-styles")
    title = models.CharField(max_length=200)
    link = models.URLField(max_length=500)
    image_url = models.URLField(max_length=500, blank=True)
    source = models.CharField(max_length=64, help_text='What it announces, e.g. "brand:12"; queued once.')
    created_at = models.DateTimeField(auto_now_add=True)
    sent_in_edition_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["topic_slug", "source"], name="subscriptions_alert_once")]

    def __str__(self) -> str:
        return self.title
