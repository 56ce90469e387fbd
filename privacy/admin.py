from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from . import data_rights, services
from .models import AccessLog, ConsentEvent, DataExport, DataRequest, Disclosure, PolicyVersion, PrivacySettings
from .readonly_admin import ReadOnlyLedgerAdmin
from .subjects import user_subject


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
    ]
    list_filter = ["action", "method", "double_opt_in"]
    search_fields = ["subject", "purpose"]
    date_hierarchy = "created_at"


class LawfulRequestForm(forms.ModelForm):
    """Staff entry of a disclosure to an authority. Saved once; never editable afterwards."""

    data_categories = forms.CharField(
        help_text="Comma-separated, e.g. name, email address, order history.", widget=forms.TextInput
    )

    class Meta:
        model = Disclosure
        fields = ["user", "recipient_name", "reference", "legal_basis", "purpose", "data_categories"]
        labels = {"user": "Person concerned", "recipient_name": "Authority", "reference": "Authority's reference"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ["user", "legal_basis", "purpose"]:
            if name in self.fields:  # a saved disclosure is shown read-only: its fields are left out
                self.fields[name].required = True

    def clean_data_categories(self) -> list[str]:
        categories = [part.strip() for part in self.cleaned_data["data_categories"].split(",") if part.strip()]
        if not categories:
            raise forms.ValidationError("Name at least one category of data.")
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


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "effective_at", "is_material"]


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


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    """The queue: open requests first, by due date. Running an export or an erasure needs the request to be
    verified and the run_export / run_erasure permission (the "Privacy officer" group has both)."""

    list_display = ["id", "kind", "status", "subject", "received_at", "due_at", "handled_by", "self_service"]
    list_filter = ["kind", "status", "self_service"]
    search_fields = ["subject"]
    raw_id_fields = ["user"]
    readonly_fields = ["summary", "completed_at", "handled_by", "self_service"]
    list_select_related = ["handled_by"]
    actions = ["run_export", "run_erasure"]

    def save_model(self, request, obj, form, change) -> None:
        if obj.user_id and not obj.subject:
            obj.subject = user_subject(obj.user_id)
        if obj.status == DataRequest.Status.VERIFIED and obj.verified_at is None:
            obj.verified_at = timezone.now()
        if obj.handled_by_id is None:
            obj.handled_by = request.user
        super().save_model(request, obj, form, change)

    def _runnable(self, request, queryset, kind: str) -> list[DataRequest]:
        ready = list(queryset.filter(kind=kind, status=DataRequest.Status.VERIFIED, user__isnull=False))
        skipped = queryset.count() - len(ready)
        if skipped:
            messages.warning(
                request, f"{skipped} request(s) skipped: only verified {kind} requests with an account run."
            )
        return ready

    @admin.action(description="Run the export for the selected verified requests", permissions=["run_export"])
    def run_export(self, request, queryset) -> None:
        for data_request in self._runnable(request, queryset, DataRequest.Kind.EXPORT):
            data_rights.request_export(user=data_request.user, data_request=data_request, handled_by=request.user)
            messages.success(request, f"Export queued for request #{data_request.pk}.")

    @admin.action(description="Run the erasure for the selected verified requests", permissions=["run_erasure"])
    def run_erasure(self, request, queryset) -> None:
        for data_request in self._runnable(request, queryset, DataRequest.Kind.ERASURE):
            try:
                data_rights.erase_person(data_request.user, data_request=data_request, handled_by=request.user)
            except data_rights.AlreadyErased:
                messages.warning(request, f"Request #{data_request.pk}: that account was already erased.")
                continue
            except data_rights.ErasureNotAllowed:
                messages.error(request, f"Request #{data_request.pk}: only a superuser may erase a staff account.")
                continue
            messages.success(request, f"Request #{data_request.pk}: erased.")

    def has_run_export_permission(self, request) -> bool:
        return request.user.has_perm("privacy.run_export")

    def has_run_erasure_permission(self, request) -> bool:
        return request.user.has_perm("privacy.run_erasure")


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyLedgerAdmin):
    """Exports hold personal data: staff see that one exists and when it expires, not its content."""

    list_display = ["public_id", "user", "status", "created_at", "expires_at", "request"]
    list_filter = ["status"]
    raw_id_fields = ["user", "request"]
