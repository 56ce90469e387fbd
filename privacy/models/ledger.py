"""The ConsentEvent ledger and the Disclosure log: append-only records of consent and of data given away."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .policy import PolicyVersion


class ConsentEvent(models.Model):
    """Append-only ledger row written in the same transaction as every consent change."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("Granted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CHANGED = "changed", _("Changed")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        REQUESTED = "requested", _("Requested (awaiting confirmation)")

    class Method(models.TextChoices):
        SIGNUP_FORM = "signup_form", _("Signup form")
        SUBSCRIBE_FORM = "subscribe_form", _("Subscribe form")
        PREFERENCE_CENTER = "preference_center", _("Preference center")
        EMAILED_LINK = "emailed_link", _("Emailed link")
        ONE_CLICK = "one_click", _("One-click unsubscribe header")
        STAFF = "staff", _("Staff")
        ESP_WEBHOOK = "esp_webhook", _("ESP webhook")
        COOKIE_BANNER = "cookie_banner", _("Cookie settings")
        GPC = "gpc", _("Global Privacy Control")
        ACCOUNT_DELETION = "account_deletion", _("Account deletion")
        ACCOUNT_SETTINGS = "account_settings", _("Account settings")
        SYSTEM = "system", _("System")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    subject = models.CharField(
        max_length=64,
        db_index=True,
        help_text=_('Whose consent: "subscriber:<id>", "user:<id>" or "visitor".'),
        verbose_name=_("subject"),
    )
    purpose = models.CharField(
        max_length=64,
        help_text=_('What for: "topic:<slug>", "marketing:all", "cookies:<category>", ...'),
        verbose_name=_("purpose"),
    )
    action = models.CharField(max_length=16, choices=Action.choices, verbose_name=_("action"))
    value = models.CharField(
        max_length=64, blank=True, help_text=_("The new value, e.g. a frequency."), verbose_name=_("value")
    )
    method = models.CharField(max_length=24, choices=Method.choices, verbose_name=_("method"))
    double_opt_in = models.BooleanField(default=False, verbose_name=_("double opt-in"))
    policy_version = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("policy version")
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created"))
    ip_prefix = models.CharField(
        max_length=64, blank=True, help_text=_("IPv4 truncated to /24, IPv6 to /48."), verbose_name=_("IP network")
    )
    user_agent = models.CharField(max_length=300, blank=True, verbose_name=_("browser"))
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        help_text=_("The language of the policy text the person saw (empty: before languages were recorded)."),
    )

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.action} {self.purpose} ({self.get_method_display()})"


class Disclosure(models.Model):
    """A record that personal data left the shop for a third party."""

    class RecipientKind(models.TextChoices):
        CARRIER = "carrier", _("Carrier")
        PAYMENT_PROCESSOR = "payment_processor", _("Payment processor")
        AD_PARTNER = "ad_partner", _("Advertising partner")
        LAWFUL_REQUEST = "lawful_request", _("Lawful request")
        OTHER = "other", _("Other")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    subject = models.CharField(max_length=64, db_index=True, blank=True, verbose_name=_("subject"))
    recipient_kind = models.CharField(max_length=24, choices=RecipientKind.choices, verbose_name=_("kind of recipient"))
    recipient_name = models.CharField(max_length=120, verbose_name=_("recipient"))
    purpose = models.CharField(max_length=200, verbose_name=_("purpose"))
    data_categories = models.JSONField(
        default=list, help_text=_('e.g. ["name", "shipping address"]'), verbose_name=_("data categories")
    )
    reference = models.CharField(
        max_length=64, blank=True, db_index=True, help_text=_('e.g. "order:42"'), verbose_name=_("reference")
    )
    legal_basis = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("For lawful requests: the order, warrant or statute relied on."),
        verbose_name=_("legal basis"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(recipient_kind="lawful_request") | ~models.Q(legal_basis=""),
                name="privacy_disclosure_lawful_request_has_legal_basis",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name}: {self.purpose}"
