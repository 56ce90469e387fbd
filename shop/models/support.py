"""Customer-service tickets and the replies staff send."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SupportTicket(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("ticket status", "Open")
        ANSWERED = "answered", pgettext_lazy("ticket status", "Answered")
        CLOSED = "closed", _("Closed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="support_tickets"
    )
    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254)
    order_number = models.CharField(max_length=24, blank=True)
    subject = models.CharField(max_length=150)
    message = models.TextField(max_length=5000)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The language of the contact page the message was sent from (set by the server): replies are written in it.
    language = models.CharField(_("language"), max_length=16, blank=True, editable=False)

    class Meta:
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class SupportReply(models.Model):
    ticket = models.ForeignKey(SupportTicket, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("support reply")
        verbose_name_plural = _("support replies")

    def __str__(self) -> str:
        return f"Reply to #{self.ticket_id}"
