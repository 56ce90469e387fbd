import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower, Trim


class MessageKind(models.TextChoices):
    """What an email is, carried as an anymail tag so webhooks and logs can tell them apart. The host adds its own
    transactional kinds (orders, shipping...) with SUBSCRIPTIONS_MESSAGE_KINDS."""

    ACCOUNT = "account", "Account"
    SERVICE = "service", "Service announcement"
    COMMERCIAL = "commercial", "Commercial"


def message_kind_choices() -> list[tuple[str, str]]:
    """Every kind an email may have: subscriptions' own and the host's SUBSCRIPTIONS_MESSAGE_KINDS."""
    from .app_settings import app_settings

    return [*MessageKind.choices, *app_settings.MESSAGE_KINDS.items()]


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


class SuppressionReason(models.TextChoices):
    """Why nothing commercial may go to an address: on a Subscriber and on the suppression list alike."""

    BOUNCE = "bounce", "Hard bounce"
    SOFT_BOUNCES = "soft_bounces", "Repeated soft bounces"
    COMPLAINT = "complaint", "Spam complaint"
    ESP_UNSUBSCRIBE = "esp_unsubscribe", "Unsubscribed at the email provider"
    ERASURE = "erasure", "Address of an erased account"


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


class Edition(models.Model):
    """One commercial email for one topic, written by staff and sent in a mailing slot."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        PAUSED = "paused", "Paused while sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="editions")
    subject = models.CharField(max_length=200)
    preheader = models.CharField(max_length=200, blank=True, help_text="The preview line shown after the subject.")
    body_text = models.TextField(help_text="Plain-text body: a Django template (see the variables listed below).")
    body_html = models.TextField(help_text="HTML body: a Django template (see the variables listed below).")
    slot_at = models.DateTimeField(
        null=True, blank=True, help_text="The mailing slot it goes out in (required to schedule)."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    frequencies = models.JSONField(default=list, editable=False, help_text="Frequencies due in its slot (at planning).")
    is_alert_digest = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    planned_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-slot_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["scheduled", "sending", "sent"]) | models.Q(slot_at__isnull=False),
                name="subscriptions_edition_scheduled_has_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic.name}: {self.subject}"


class Delivery(models.Model):
    """One edition to one subscriber: planned once, claimed by a batch with a lease, sent or skipped once."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped at send time"
        FAILED = "failed", "Failed"

    # A delivery is a high-volume log row, written only by the planner from a join over these very tables.
    # Per-row foreign-key checks doubled the planning time of a million recipients, so the database does not
    # enforce these keys (db_constraint=False); Django's on_delete still cascades. The edition key needs no index
    # of its own: the unique (edition, subscriber) index serves every lookup by edition.
    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="deliveries", db_index=False, db_constraint=False
    )
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries", db_constraint=False)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", db_constraint=False
    )
    # Topics due in the same slot go to a person as ONE email (a section per edition): that email is one row, its
    # "lead", and the other editions' rows point at it (carried_by) and share its fate (sent, failed, skipped).
    carried_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sections",
        db_constraint=False,
        db_index=False,
        help_text="Empty: this row is an email of its own. Set: this edition went out as a section of that email.",
    )
    week = models.DateField(
        null=True,
        blank=True,
        help_text="Monday of the ISO week (shop time zone) of the slot it was planned for: the weekly cap's week.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    esp_message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["edition", "subscriber"], name="subscriptions_delivery_once_per_edition"),
        ]
        indexes = [
            models.Index(
                fields=["edition", "id"],
                condition=models.Q(status="queued"),
                name="subscriptions_delivery_queued",
            ),
            models.Index(
                fields=["week", "subscriber"],
                condition=models.Q(carried_by__isnull=True, status__in=["queued", "sent"]),
                name="subscriptions_delivery_emails",
            ),
            models.Index(
                fields=["carried_by"],
                condition=models.Q(carried_by__isnull=False),
                name="subscriptions_delivery_section",
            ),
            models.Index(
                fields=["esp_message_id"],
                condition=~models.Q(esp_message_id=""),
                name="subscriptions_delivery_esp_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition_id} → {self.subscriber_id} ({self.status})"


class Suppression(models.Model):
    """Addresses that must never receive commercial email, kept as a keyed hash (so erasure can keep it too)."""

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=16, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.email_hash[:12]}…)"


class AnnouncementDelivery(models.Model):
    """A service announcement to one account: a row per account, so a re-run never mails anyone twice."""

    announcement = models.ForeignKey("ServiceAnnouncement", on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="subscriptions_announcement_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id} → {self.user_id}"


class ServiceAnnouncement(models.Model):
    """A rare, staff-only message to every active account, sent as transactional mail after explicit confirmation."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    subject = models.CharField(max_length=200)
    body_text = models.TextField(help_text="Plain text; it is also shown, escaped, in the HTML version.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.subject


class SentEmail(models.Model):
    """A transactional email that went out, for "emails we sent you". The address is kept only as a keyed hash.

    Commercial email needs no row here: a sent Delivery already records it.
    """

    recipient_hash = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=16, choices=message_kind_choices)
    subject = models.CharField(max_length=200)
    object_id = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"
