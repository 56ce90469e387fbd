from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import (
    admin_requests,  # noqa: F401 (registers the data request admin)
    services,
)
from .models import AccessLog, ConsentEvent, DataExport, Disclosure, PolicyText, PolicyVersion, PrivacySettings
from .readonly_admin import ReadOnlyLedgerAdmin


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyLedgerAdmin):
    list_display = [
        "created_at",
        "subject",
        "purpose",
        "action",
        "value",
        "method",
        "double_opt_in",
        "policy_version",
        "language",
    ]
    list_filter = ["action", "method", "double_opt_in", "language"]
    search_fields = ["subject", "purpose"]
    date_hierarchy = "created_at"


class LawfulRequestForm(forms.ModelForm):
    """Staff entry of a disclosure to an authority. Saved once; never editable afterwards."""

    data_categories = forms.CharField(
        help_text=_("Comma-separated, e.g. name, email address, order history."), widget=forms.TextInput
    )

    class Meta:
        model = Disclosure
        fields = ["user", "recipient_name", "reference", "legal_basis", "purpose", "data_categories"]
        labels = {
            "user": _("Person concerned"),
            "recipient_name": _("Authority"),
            "reference": _("Authority's reference"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ["user", "legal_basis", "purpose"]:
            if name in self.fields:  # a saved disclosure is shown read-only: its fields are left out
                self.fields[name].required = True

    def clean_data_categories(self) -> list[str]:
        categories = [part.strip() for part in self.cleaned_data["data_categories"].split(",") if part.strip()]
        if not categories:
            raise forms.ValidationError(_("Name at least one category of data."))
        return categories


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyLedgerAdmin):
    list_display = ["created_at", "recipient_kind", "recipient_name", "purpose", "reference", "subject"]
    list_filter = ["recipient_kind"]
    search_fields = ["subject", "reference", "recipient_name"]
    date_hierarchy = "created_at"
    form = LawfulRequestForm
    raw_id_fields = ["user"]

    def has_add_permission(self, request, obj=None) -> bool:
        """Staff may add only lawful-request disclosures (the others are written by the flows that disclose)."""
        return request.user.has_perm("privacy.add_disclosure")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "recipient_name", "reference", "legal_basis", "purpose", "data_categories"]
        return [f.name for f in Disclosure._meta.fields]

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        created = services.record_disclosure(
            recipient_kind=Disclosure.RecipientKind.LAWFUL_REQUEST,
            recipient_name=data["recipient_name"],
            purpose=data["purpose"],
            data_categories=data["data_categories"],
            user=data["user"],
            reference=data["reference"],
            legal_basis=data["legal_basis"],
            recorded_by=request.user,
        )
        obj.pk = created.pk


class PolicyTextForm(forms.ModelForm):
    class Meta:
        model = PolicyText
        fields = ["language", "title", "body"]
        widgets = {
            "language": forms.Select(
                choices=[(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
            )
        }


class PolicyTextInline(admin.StackedInline):
    """The version's text in each other language; the version's own title and body are the default language's."""

    model = PolicyText
    form = PolicyTextForm
    extra = 0
    verbose_name = _("text in another language")
    verbose_name_plural = _("texts in other languages")


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "effective_at", "is_material", "languages"]
    inlines = [PolicyTextInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("texts")

    @admin.display(description=_("languages"))
    def languages(self, obj: PolicyVersion) -> str:
        return ", ".join([settings.LANGUAGE_CODE, *(text.language for text in obj.texts.all())])


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(ReadOnlyLedgerAdmin):
    """Current state only; changes are made by the shopper (each one ledgered), never edited here."""

    list_display = [
        "user",
        "cookies_chosen_at",
        "preferences_cookies",
        "analytics_cookies",
        "advertising_cookies",
        "ad_sharing_opted_out",
        "gpc_recorded_at",
    ]
    list_filter = ["advertising_cookies", "ad_sharing_opted_out", "analytics_cookies"]
    list_select_related = ["user"]
    search_fields = ["user__email"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyLedgerAdmin):
    list_display = ["created_at", "user", "method", "path", "status", "ip_prefix"]
    list_filter = ["method", "status"]
    list_select_related = ["user"]
    search_fields = ["path"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyLedgerAdmin):
    """Exports hold personal data: staff see that one exists and when it expires, not its content."""

    list_display = ["public_id", "user", "status", "created_at", "expires_at", "request"]
    list_filter = ["status"]
    raw_id_fields = ["user", "request"]
