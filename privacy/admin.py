from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from . import data_rights, services
from .data_rights import guests
from .forms import _ADDRESS_IN_TEXT, StaffGuestRequestForm
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


class DataRequestForm(forms.ModelForm):
    """A DataRequest never holds an email address in clear: not in the subject, not in the notes."""

    class Meta:
        model = DataRequest
        fields = ["kind", "status", "user", "subject", "received_at", "due_at", "verified_at", "notes"]

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"]
        if "@" in subject:
            raise forms.ValidationError(
                "The subject may not be an email address. For a person without an account, use "
                "\u201cFor an address without an account\u201d on the list of requests."
            )
        return subject

    def clean_notes(self) -> str:
        notes = self.cleaned_data["notes"]
        if _ADDRESS_IN_TEXT.search(notes):
            raise forms.ValidationError("Remove the email address from the notes: a request must not store one.")
        return notes


GUEST_KINDS = {DataRequest.Kind.EXPORT: "privacy.run_export", DataRequest.Kind.ERASURE: "privacy.run_erasure"}


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    """The queue: open requests first, by due date. Running an export or an erasure needs the request to be
    verified and the run_export / run_erasure permission (the "Privacy officer" group has both). A request for an
    address without an account is opened from "For an address without an account" (guest_request_view)."""

    list_display = ["id", "kind", "status", "subject", "received_at", "due_at", "handled_by", "self_service"]
    list_filter = ["kind", "status", "self_service"]
    search_fields = ["subject"]
    raw_id_fields = ["user"]
    readonly_fields = ["summary", "completed_at", "handled_by", "self_service"]
    list_select_related = ["handled_by"]
    actions = ["run_export", "run_erasure"]
    form = DataRequestForm
    change_list_template = "admin/privacy/datarequest/change_list.html"

    def get_urls(self):
        return [
            path(
                "guest/<str:kind>/",
                self.admin_site.admin_view(self.guest_request_view),
                name="privacy_datarequest_guest",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        allowed = [kind for kind in GUEST_KINDS if self._may_open_guest_request(request, kind)]
        return super().changelist_view(request, {**(extra_context or {}), "guest_kinds": allowed})

    def _may_open_guest_request(self, request: HttpRequest, kind: str) -> bool:
        return request.user.has_perm("privacy.add_datarequest") and request.user.has_perm(GUEST_KINDS[kind])

    def guest_request_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        """A person without an account wrote or phoned in: the officer enters the address once; it gets the
        public page's single-use link, which completes this request when the person uses it (see
        privacy.data_rights.guests.open_staff_request for why the officer does not run it blind)."""
        if kind not in GUEST_KINDS:
            raise Http404
        if not self._may_open_guest_request(request, kind):
            raise PermissionDenied
        form = StaffGuestRequestForm(request.POST or None)
        account_url = ""
        if request.method == "POST" and form.is_valid():
            result = guests.open_staff_request(
                email=form.cleaned_data["email"], kind=kind, handled_by=request.user, notes=form.cleaned_data["notes"]
            )
            if result.outcome == guests.StaffOutcome.ACCOUNT:
                form.add_error(
                    None,
                    "This address belongs to an account: nothing was recorded or sent. Open the request for that "
                    "account instead.",
                )
                query = urlencode({"user": result.account.pk, "kind": kind})
                account_url = f"{reverse('admin:privacy_datarequest_add')}?{query}"
            else:
                data_request = result.data_request
                if result.outcome == guests.StaffOutcome.NOTHING:
                    self.log_addition(request, data_request, "Address without an account: we hold nothing under it.")
                    self.message_user(
                        request,
                        f"We hold nothing under this address: request #{data_request.pk} is recorded as completed "
                        "(nothing held) and nothing was sent. Tell the person we hold no data under it.",
                        messages.WARNING,
                    )
                else:
                    opened = "was already open; a new link replaces the old one" if result.reused else "is opened"
                    self.log_addition(request, data_request, "Address without an account: confirmation link sent.")
                    self.message_user(
                        request,
                        f"Request #{data_request.pk} {opened}. We are emailing the address a single-use link "
                        f"(valid {guests.app_settings.GUEST_LINK_HOURS} hours); the request completes when the "
                        "person uses it. The address was not stored on the request.",
                        messages.SUCCESS,
                    )
                return redirect("admin:privacy_datarequest_change", data_request.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": (
                "Export for an address without an account"
                if kind == DataRequest.Kind.EXPORT
                else "Erasure for an address without an account"
            ),
            "kind": kind,
            "form": form,
            "account_url": account_url,
            "hours": guests.app_settings.GUEST_LINK_HOURS,
            "opts": self.model._meta,
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/privacy/datarequest/guest.html", context, status=status)

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
                request,
                f"{skipped} request(s) skipped: only verified {kind} requests with an account run here. A request "
                "for an address without an account completes when the person uses the emailed link; to send a new "
                "one, use \u201cFor an address without an account\u201d again with the address.",
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
