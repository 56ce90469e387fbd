"""Data rights: requests, export files and guests' emailed links."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _due_in_30_days():
    import datetime

    return timezone.now() + datetime.timedelta(days=30)


class DataRequest(models.Model):
    """A data-subject or lawful request in the staff queue: received, due 30 days later, handled by someone.
    Never holds an email in clear: the person is the `user` (an erased account stays as an anonymised row)."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export (access)")
        ERASURE = "erasure", _("Erasure")
        CORRECTION = "correction", _("Correction")
        LAWFUL_DISCLOSURE = "lawful_disclosure", _("Lawful disclosure")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        VERIFIED = "verified", _("Identity verified")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED, verbose_name=_("status"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    subject = models.CharField(
        max_length=64, blank=True, db_index=True, help_text=_('e.g. "user:42"'), verbose_name=_("subject")
    )
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received"))
    due_at = models.DateTimeField(default=_due_in_30_days, verbose_name=_("due on"))
    verified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("verified"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    self_service = models.BooleanField(
        default=False, help_text=_("Made by the shopper from the privacy center."), verbose_name=_("self-service")
    )
    notes = models.TextField(
        blank=True, help_text=_("What was asked and done. No email addresses or tokens."), verbose_name=_("notes")
    )
    summary = models.JSONField(default=dict, blank=True, editable=False, verbose_name=_("summary"))
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        help_text=_("The language the person made the request in: emails about it are written in it."),
    )

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["status", "due_at", "id"]
        permissions = [
            ("run_export", "Can run a data export for a verified request"),
            ("run_erasure", "Can run an erasure for a verified request"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_at__gte=models.F("received_at")), name="privacy_request_due"),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(completed_at__isnull=False),
                name="privacy_request_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


class DataExport(models.Model):
    """One "download my data" file, built by a task, offered behind the login to its owner until expires_at."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(unique=True, editable=False, default=uuid.uuid4, verbose_name=_("public ID"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    request = models.ForeignKey(
        DataRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="exports", verbose_name=_("request")
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    ready_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ready"))
    expires_at = models.DateTimeField(db_index=True, verbose_name=_("expires"))
    content = models.TextField(
        blank=True,
        editable=False,
        help_text=_("The export as JSON text (kept as text so the documented key order stays)."),
        verbose_name=_("content"),
    )

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="ready") | (~models.Q(content="") & models.Q(ready_at__isnull=False)),
                name="privacy_export_ready_has_payload",
            )
        ]

    def __str__(self) -> str:
        return f"Export {self.public_id} of user {self.user_id} ({self.status})"

    @property
    def payload(self) -> dict | None:
        import json

        return json.loads(self.content) if self.content else None


class GuestLink(models.Model):
    """One emailed link of a guest's data request (/privacy/request/): who asked for what, until the link is used
    or expires. The address is held only while the link can work: it is blanked when the link is used and the
    row is deleted by the nightly purge once expired (privacy.tasks.purge_guest_links). The emailed token is the
    row's public_id signed with a timestamp (django.core.signing); the row makes it single-use. A link sent for a
    staff request (privacy.admin: "for an address without an account") points at its DataRequest."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Download my data")
        ERASURE = "erasure", _("Delete my data")

    public_id = models.UUIDField(unique=True, editable=False, default=uuid.uuid4, verbose_name=_("public ID"))
    email = models.EmailField(max_length=254, blank=True, verbose_name=_("email"))
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    expires_at = models.DateTimeField(verbose_name=_("expires"))
    mailed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("emailed"))
    used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("used"))
    data_request = models.ForeignKey(
        DataRequest,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="guest_links",
        help_text=_("Set when a privacy officer opened the request (letter, phone): the link completes that request."),
        verbose_name=_("data request"),
    )
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        help_text=_("The language of the page the request was made on: the email is written in it."),
    )

    class Meta:
        verbose_name = _("guest link")
        verbose_name_plural = _("guest links")
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["export", "erasure"]), name="privacy_guest_link_kind"),
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(email=""), name="privacy_guest_link_used_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} link #{self.pk}"
