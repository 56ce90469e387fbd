"""The AccessLog: who opened which personal-data page."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    """Sign-ins, signups, checkouts and signed-in account/privacy pages, for order verification, troubleshooting and
    abuse investigation. The full IP is kept PRIVACY_ACCESS_LOG_IP_DAYS (30), then only its /24 or /48 network;
    rows are deleted after PRIVACY_ACCESS_LOG_RETENTION_DAYS (180). Never a query string or a token."""

    class Event(models.TextChoices):
        PAGE = "page", _("Page view")
        SIGN_IN = "sign_in", _("Sign-in")
        SIGNUP = "signup", _("Signup")
        CHECKOUT = "checkout", _("Checkout")

    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("created"))
    event = models.CharField(max_length=16, choices=Event.choices, default=Event.PAGE, verbose_name=_("event"))
    ip = models.GenericIPAddressField(
        null=True, blank=True, help_text=_("Full address, erased after 30 days."), verbose_name=_("IP address")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    method = models.CharField(max_length=8, verbose_name=_("method"))
    path = models.CharField(
        max_length=255, help_text=_("Without query string; tokens replaced by <token>."), verbose_name=_("path")
    )
    status = models.PositiveSmallIntegerField(verbose_name=_("status"))
    ip_prefix = models.CharField(
        max_length=64, blank=True, help_text=_("IPv4 truncated to /24, IPv6 to /48."), verbose_name=_("IP network")
    )
    user_agent = models.CharField(max_length=200, blank=True, verbose_name=_("browser"))

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.method} {self.path} {self.status}"
