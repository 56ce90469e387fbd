"""Service announcements, their deliveries, and the log of every email sent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import message_kind_choices


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
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", pgettext_lazy("mailing status", "Sent")

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
