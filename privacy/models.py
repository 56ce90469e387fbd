import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class PolicyVersion(models.Model):
    """One published version of the privacy policy; every ConsentEvent names the version in force."""

    version = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200, default="Privacy policy")
    body = models.TextField(help_text="The policy text as published (Markdown-free plain text or simple HTML).")
    effective_at = models.DateTimeField()
    is_material = models.BooleanField(
        default=False, help_text="A material change: logged-in shoppers are asked to review it."
    )

    class Meta:
        ordering = ["-effective_at"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ConsentEvent(models.Model):
    """Append-only ledger row written in the same transaction as every consent change."""

    class Action(models.TextChoices):
        GRANTED = "granted", "Granted"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CHANGED = "changed", "Changed"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        REQUESTED = "requested", "Requested (awaiting confirmation)"

    class Method(models.TextChoices):
        SIGNUP_FORM = "signup_form", "Signup form"
        SUBSCRIBE_FORM = "subscribe_form", "Subscribe form"
        PREFERENCE_CENTER = "preference_center", "Preference center"
        EMAILED_LINK = "emailed_link", "Emailed link"
        ONE_CLICK = "one_click", "One-click unsubscribe header"
        STAFF = "staff", "Staff"
        ESP_WEBHOOK = "esp_webhook", "ESP webhook"
        COOKIE_BANNER = "cookie_banner", "Cookie settings"
        GPC = "gpc", "Global Privacy Control"
        ACCOUNT_DELETION = "account_deletion", "Account deletion"
        ACCOUNT_SETTINGS = "account_settings", "Account settings"
        SYSTEM = "system", "System"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(
        max_length=64, db_index=True, help_text='Whose consent: "subscriber:<id>", "user:<id>" or "visitor".'
    )
    purpose = models.CharField(
        max_length=64, help_text='What for: "topic:<slug>", "marketing:all", "cookies:<category>", ...'
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    value = models.CharField(max_length=64, blank=True, help_text="The new value, e.g. a frequency.")
    method = models.CharField(max_length=24, choices=Method.choices)
    double_opt_in = models.BooleanField(default=False)
    policy_version = models.ForeignKey(PolicyVersion, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_prefix = models.CharField(max_length=64, blank=True, help_text="IPv4 truncated to /24, IPv6 to /48.")
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.action} {self.purpose} ({self.get_method_display()})"


class Disclosure(models.Model):
    """A record that personal data left the shop for a third party."""

    class RecipientKind(models.TextChoices):
        CARRIER = "carrier", "Carrier"
        PAYMENT_PROCESSOR = "payment_processor", "Payment processor"
        AD_PARTNER = "ad_partner", "Advertising partner"
        LAWFUL_REQUEST = "lawful_request", "Lawful request"
        OTHER = "other", "Other"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=64, db_index=True, blank=True)
    recipient_kind = models.CharField(max_length=24, choices=RecipientKind.choices)
    recipient_name = models.CharField(max_length=120)
    purpose = models.CharField(max_length=200)
    data_categories = models.JSONField(default=list, help_text='e.g. ["name", "shipping address"]')
    reference = models.CharField(max_length=64, blank=True, db_index=True, help_text='e.g. "order:42"')
    legal_basis = models.CharField(
        max_length=200, blank=True, help_text="For lawful requests: the order, warrant or statute relied on."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(recipient_kind="lawful_request") | ~models.Q(legal_basis=""),
                name="privacy_disclosure_lawful_request_has_legal_basis",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name}: {self.purpose}"


class PrivacySettings(models.Model):
    """One account's current privacy choices; every change to them also appends ConsentEvents."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_settings")
    cookies_chosen_at = models.DateTimeField(
        null=True, blank=True, help_text="When the shopper last answered the cookie banner (empty: never)."
    )
    preferences_cookies = models.BooleanField(default=False)
    analytics_cookies = models.BooleanField(default=False)
    advertising_cookies = models.BooleanField(default=False)
    ad_sharing_opted_out = models.BooleanField(
        default=False, help_text='"Don\'t share my data for tailored advertising" was chosen explicitly.'
    )
    ad_sharing_agreed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the shopper said yes to sharing with the ad partner (empty: no, the default).",
    )
    gpc_recorded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="First time a Global Privacy Control signal arrived from this account: a standing opt-out.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "privacy settings"
        verbose_name_plural = "privacy settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cookies_chosen_at__isnull=False)
                | models.Q(preferences_cookies=False, analytics_cookies=False, advertising_cookies=False),
                name="privacy_settings_no_cookie_consent_without_a_choice",
            ),
            models.CheckConstraint(
                condition=~models.Q(ad_sharing_opted_out=True, ad_sharing_agreed_at__isnull=False),
                name="privacy_settings_ad_sharing_yes_or_no",
            ),
        ]

    def __str__(self) -> str:
        return f"Privacy settings of user {self.user_id}"


class AccessLog(models.Model):
    """Sign-ins, signups, checkouts and signed-in account/privacy pages, for order verification, troubleshooting and
    abuse investigation. The full IP is kept PRIVACY_ACCESS_LOG_IP_DAYS (30), then only its /24 or /48 network;
    rows are deleted after PRIVACY_ACCESS_LOG_RETENTION_DAYS (180). Never a query string or a token."""

    class Event(models.TextChoices):
        PAGE = "page", "Page view"
        SIGN_IN = "sign_in", "Sign-in"
        SIGNUP = "signup", "Signup"
        CHECKOUT = "checkout", "Checkout"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    event = models.CharField(max_length=16, choices=Event.choices, default=Event.PAGE)
    ip = models.GenericIPAddressField(null=True, blank=True, help_text="Full address, erased after 30 days.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255, help_text="Without query string; tokens replaced by <token>.")
    status = models.PositiveSmallIntegerField()
    ip_prefix = models.CharField(max_length=64, blank=True, help_text="IPv4 truncated to /24, IPv6 to /48.")
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.method} {self.path} {self.status}"


# Data rights (privacy center part 2) --------------------------------------------------------------------------


def _due_in_30_days():
    import datetime

    return timezone.now() + datetime.timedelta(days=30)


class DataRequest(models.Model):
    """A data-subject or lawful request in the staff queue: received, due 30 days later, handled by someone.
    Never holds an email in clear: the person is the `user` (an erased account stays as an anonymised row)."""

    class Kind(models.TextChoices):
        EXPORT = "export", "Export (access)"
        ERASURE = "erasure", "Erasure"
        CORRECTION = "correction", "Correction"
        LAWFUL_DISCLOSURE = "lawful_disclosure", "Lawful disclosure"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        VERIFIED = "verified", "Identity verified"
        COMPLETED = "completed", "Completed"
        REJECTED = "rejected", "Rejected"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=64, blank=True, db_index=True, help_text='e.g. "user:42"')
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=_due_in_30_days)
    verified_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    self_service = models.BooleanField(default=False, help_text="Made by the shopper from the privacy center.")
    notes = models.TextField(blank=True, help_text="What was asked and done. No email addresses or tokens.")
    summary = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
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
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(DataRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="exports")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    content = models.TextField(
        blank=True,
        editable=False,
        help_text="The export as JSON text (kept as text so the documented key order stays).",
    )

    class Meta:
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
        EXPORT = "export", "Download my data"
        ERASURE = "erasure", "Delete my data"

    public_id = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    email = models.EmailField(max_length=254, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    mailed_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    data_request = models.ForeignKey(
        DataRequest,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="guest_links",
        help_text="Set when a privacy officer opened the request (letter, phone): the link completes that request.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["export", "erasure"]), name="privacy_guest_link_kind"),
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(email=""), name="privacy_guest_link_used_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} link #{self.pk}"
