"""The mailing engine's rows: an Edition (one commercial email of a topic) and its Deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .subscribers import Subscriber, Subscription
from .topics import Topic


class Edition(models.Model):
    """One commercial email for one topic, written by staff and sent in a mailing slot."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused while sending")
        SENT = "sent", pgettext_lazy("mailing status", "Sent")
        CANCELLED = "cancelled", _("Cancelled")

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="editions")
    subject = models.CharField(pgettext_lazy("email", "subject"), max_length=200)
    preheader = models.CharField(
        _("preheader"), max_length=200, blank=True, help_text=_("The preview line shown after the subject.")
    )
    body_text = models.TextField(
        _("text body"), help_text=_("Plain-text body: a Django template (see the variables listed below).")
    )
    body_html = models.TextField(
        _("HTML body"), help_text=_("HTML body: a Django template (see the variables listed below).")
    )
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
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["scheduled", "sending", "sent"]) | models.Q(slot_at__isnull=False),
                name="subscriptions_edition_scheduled_has_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic.name}: {self.subject}"

    def content_in(self, language: str | None) -> Edition | EditionVersion:
        """What a recipient in `language` gets: that language's version, else this edition's own fields (the
        default language's). Uses prefetched `versions` when there are."""
        if not language or language == settings.LANGUAGE_CODE or not self.pk:
            return self
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("versions")
        if prefetched is not None:
            return next((v for v in prefetched if v.language == language), self)
        return self.versions.filter(language=language).first() or self


class EditionVersion(models.Model):
    """An edition in one more language: the same fields as the edition's own content (which is the default
    language's, settings.LANGUAGE_CODE). A recipient gets their language's version, else the edition's own."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(_("language"), max_length=16)
    subject = models.CharField(pgettext_lazy("email", "subject"), max_length=200)
    preheader = models.CharField(
        _("preheader"), max_length=200, blank=True, help_text=_("The preview line shown after the subject.")
    )
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"))

    class Meta:
        verbose_name = _("edition version")
        verbose_name_plural = _("edition versions")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "language"], name="subscriptions_edition_version_once"),
        ]

    def __str__(self) -> str:
        return f"[{self.language}] {self.subject}"


class Delivery(models.Model):
    """One edition to one subscriber: planned once, claimed by a batch with a lease, sent or skipped once."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", pgettext_lazy("mailing status", "Sent")
        SKIPPED = "skipped", _("Skipped at send time")
        FAILED = "failed", _("Failed")

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
