"""The data request queue in the admin: the person by email (staff only), the produced export, how close each
request is to its due date, and a request locked once completed or rejected (it is evidence of what was done)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import data_rights
from .charts import bar_chart
from .data_rights import guests
from .forms import _ADDRESS_IN_TEXT, StaffGuestRequestForm
from .models import DataExport, DataRequest
from .subjects import user_subject

NEAR_DUE_DAYS = 7
CLOSED = {DataRequest.Status.COMPLETED, DataRequest.Status.REJECTED}


def due_state(data_request: DataRequest, now: datetime.datetime | None = None) -> tuple[str, str]:
    """("overdue" | "near" | "ok" | "closed", a sentence): how an open request stands against its due date."""
    if data_request.status in CLOSED:
        return "closed", gettext("closed")
    now = now or timezone.now()
    days = (data_request.due_at - now).total_seconds() / 86400
    if days < 0:
        late = max(1, int(-days))
        text = gettext("overdue by 1 day") if late == 1 else gettext("overdue by %(days)d days") % {"days": late}
        return "overdue", text
    left = int(days)
    if left == 0:
        text = gettext("due today")
    else:
        text = gettext("due in 1 day") if left == 1 else gettext("due in %(days)d days") % {"days": left}
    return ("near" if days <= NEAR_DUE_DAYS else "ok"), text


class DataRequestForm(forms.ModelForm):
    """A DataRequest never holds an email address in clear: not in the subject, not in the notes."""

    class Meta:
        model = DataRequest
        fields = ["kind", "status", "user", "subject", "received_at", "due_at", "verified_at", "notes", "language"]
        widgets = {"language": forms.Select(choices=[("", "—"), *settings.LANGUAGES])}

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"]
        if "@" in subject:
            raise forms.ValidationError(
                _(
                    "The subject may not be an email address. For a person without an account, use "
                    "“For an address without an account” on the list of requests."
                )
            )
        return subject

    def clean_notes(self) -> str:
        notes = self.cleaned_data["notes"]
        if _ADDRESS_IN_TEXT.search(notes):
            raise forms.ValidationError(_("Remove the email address from the notes: a request must not store one."))
        return notes


def due_chart(now: datetime.datetime | None = None, limit: int = 12) -> str:
    """Open requests against their due dates: days left per request (overdue ones at zero, in red), the near-due
    line at NEAR_DUE_DAYS."""
    now = now or timezone.now()
    rows = []
    for data_request in DataRequest.objects.exclude(status__in=CLOSED).order_by("due_at")[:limit]:
        _, text = due_state(data_request, now)
        days = max(0.0, (data_request.due_at - now).total_seconds() / 86400)
        rows.append((f"#{data_request.pk} {data_request.get_kind_display()}", round(days, 1), text))
    if not rows:
        return ""
    return bar_chart(
        rows,
        label=gettext("Open data requests: days left until due"),
        threshold=NEAR_DUE_DAYS,
        threshold_label=gettext("%(days)d days") % {"days": NEAR_DUE_DAYS},
        danger_below=True,
    )


GUEST_KINDS = {DataRequest.Kind.EXPORT: "privacy.run_export", DataRequest.Kind.ERASURE: "privacy.run_erasure"}


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    """The queue: open requests first, by due date. Running an export or an erasure needs the request to be
    verified and the run_export / run_erasure permission (the "Privacy officer" group has both). A request for an
    address without an account is opened from "For an address without an account" (guest_request_view)."""

    list_display = ["id", "kind", "status", "person", "due_at", "due", "export", "handled_by"]
    list_filter = ["kind", "status", "self_service"]
    search_fields = ["subject"]
    raw_id_fields = ["user"]
    readonly_fields = ["person", "due", "export", "summary", "completed_at", "handled_by", "self_service"]
    list_select_related = ["handled_by", "user"]
    actions = ["run_export", "run_erasure"]
    form = DataRequestForm
    change_list_template = "admin/privacy/datarequest/change_list.html"

    @admin.display(description=_("person"))
    def person(self, obj: DataRequest) -> str:
        """The account's email, for staff only (never stored on the request itself)."""
        if obj.user_id is None:
            if not obj.subject.startswith("user:"):
                return gettext("address without an account")
            return gettext("erased account")
        return obj.user.email or gettext("account #%(id)s") % {"id": obj.user_id}

    @admin.display(description=_("due date"))
    def due(self, obj: DataRequest) -> str:
        state, text = due_state(obj)
        if state in {"overdue", "near"}:
            return format_html('<strong class="due-{}">{}{}</strong>', state, "⚠ " if state == "overdue" else "", text)
        return text

    def get_queryset(self, request):
        latest = DataExport.objects.filter(request=OuterRef("pk")).order_by("-created_at", "-id")
        return (
            super()
            .get_queryset(request)
            .annotate(
                export_id=Subquery(latest.values("id")[:1]),
                export_public_id=Subquery(latest.values("public_id")[:1]),
                export_status=Subquery(latest.values("status")[:1]),
            )
        )

    @admin.display(description=_("export"))
    def export(self, obj: DataRequest) -> str:
        """The latest export the request produced (its record: staff never see the content)."""
        if getattr(obj, "export_id", None) is None:
            return "-"
        produced = DataExport(pk=obj.export_id, public_id=obj.export_public_id, status=obj.export_status)
        url = reverse("admin:privacy_dataexport_change", args=[produced.pk])
        return format_html(
            '<a href="{}">{} ({})</a>', url, f"Export {str(produced.public_id)[:8]}", produced.get_status_display()
        )

    def has_change_permission(self, request, obj=None) -> bool:
        """A completed or rejected request is locked: the record of what was done stays as it was."""
        if obj is not None and obj.status in CLOSED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status in CLOSED:
            return False
        return super().has_delete_permission(request, obj)

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
        extra = {"guest_kinds": allowed, "due_chart": due_chart()}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

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
                email=form.cleaned_data["email"],
                kind=kind,
                handled_by=request.user,
                notes=form.cleaned_data["notes"],
                language=form.cleaned_data["language"],
            )
            if result.outcome == guests.StaffOutcome.ACCOUNT:
                form.add_error(
                    None,
                    gettext(
                        "This address belongs to an account: nothing was recorded or sent. Open the request for that "
                        "account instead."
                    ),
                )
                query = urlencode({"user": result.account.pk, "kind": kind})
                account_url = f"{reverse('admin:privacy_datarequest_add')}?{query}"
            else:
                data_request = result.data_request
                if result.outcome == guests.StaffOutcome.NOTHING:
                    self.log_addition(request, data_request, "Address without an account: we hold nothing under it.")
                    self.message_user(
                        request,
                        gettext(
                            "We hold nothing under this address: request #%(id)s is recorded as completed "
                            "(nothing held) and nothing was sent. Tell the person we hold no data under it."
                        )
                        % {"id": data_request.pk},
                        messages.WARNING,
                    )
                else:
                    if result.reused:
                        opened = gettext("Request #%(id)s was already open; a new link replaces the old one.")
                    else:
                        opened = gettext("Request #%(id)s is opened.")
                    self.log_addition(request, data_request, "Address without an account: confirmation link sent.")
                    self.message_user(
                        request,
                        (opened % {"id": data_request.pk})
                        + " "
                        + gettext(
                            "We are emailing the address a single-use link (valid %(hours)s hours); the request "
                            "completes when the person uses it. The address was not stored on the request."
                        )
                        % {"hours": guests.app_settings.GUEST_LINK_HOURS},
                        messages.SUCCESS,
                    )
                return redirect("admin:privacy_datarequest_change", data_request.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": (
                _("Export for an address without an account")
                if kind == DataRequest.Kind.EXPORT
                else _("Erasure for an address without an account")
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
                gettext(
                    "%(count)s request(s) skipped: only verified %(kind)s requests with an account run here. A request "
                    "for an address without an account completes when the person uses the emailed link; to send a "
                    "new one, use “For an address without an account” again with the address."
                )
                % {"count": skipped, "kind": kind},
            )
        return ready

    @admin.action(description=_("Run the export for the selected verified requests"), permissions=["run_export"])
    def run_export(self, request, queryset) -> None:
        for data_request in self._runnable(request, queryset, DataRequest.Kind.EXPORT):
            data_rights.request_export(user=data_request.user, data_request=data_request, handled_by=request.user)
            messages.success(request, gettext("Export queued for request #%(id)s.") % {"id": data_request.pk})

    @admin.action(description=_("Run the erasure for the selected verified requests"), permissions=["run_erasure"])
    def run_erasure(self, request, queryset) -> None:
        for data_request in self._runnable(request, queryset, DataRequest.Kind.ERASURE):
            try:
                data_rights.erase_person(data_request.user, data_request=data_request, handled_by=request.user)
            except data_rights.AlreadyErased:
                messages.warning(
                    request, gettext("Request #%(id)s: that account was already erased.") % {"id": data_request.pk}
                )
                continue
            except data_rights.ErasureNotAllowed:
                messages.error(
                    request,
                    gettext("Request #%(id)s: only a superuser may erase a staff account.") % {"id": data_request.pk},
                )
                continue
            messages.success(request, gettext("Request #%(id)s: erased.") % {"id": data_request.pk})

    def has_run_export_permission(self, request) -> bool:
        return request.user.has_perm("privacy.run_export")

    def has_run_erasure_permission(self, request) -> bool:
        return request.user.has_perm("privacy.run_erasure")
