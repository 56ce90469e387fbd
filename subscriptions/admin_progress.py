"""The edition's live progress (a page, and the JSON its small script polls), its report after sending, and the
"Send now" confirmation. Mixed into EditionAdmin (subscriptions.mailing_admin); every view checks the admin's own
permissions: viewing needs view_edition, sending needs change_edition on a draft or scheduled edition."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from privacy.charts import Segment, bar_chart, stacked_bar

from . import mailing
from .edition_report import COMPLAINT_RATE_LIMIT, edition_progress, edition_report
from .models import Edition
from .schedule import shop_zone
from .selectors import SKIP_LABELS, audience_breakdown

LIVE = {Edition.Status.SENDING, Edition.Status.PAUSED}
PROGRESS_PARTS = ["sent", "skipped", "failed", "retrying", "queued"]
PART_COLOURS = {
    "sent": "#009E73",
    "skipped": "#999999",
    "failed": "#C00000",
    "retrying": "#E69F00",
    "queued": "#56B4E9",
}


def progress_bar(progress) -> str:
    segments = [Segment(part, getattr(progress, part), PART_COLOURS[part]) for part in PROGRESS_PARTS]
    return stacked_bar(segments, label="Deliveries", css_class="edition-progress")


def report_chart(report) -> str:
    rows = [
        ("complaints", report.complaint_rate),
        ("bounces", report.bounce_rate),
        ("unsubscribes", report.unsubscribe_rate),
    ]
    return bar_chart(
        rows,
        label="What this edition caused, per email sent",
        threshold=COMPLAINT_RATE_LIMIT,
        threshold_label="complaint limit 0.3%",
        value_format="{:.2%}",
        width=440,
    )


class EditionLiveAdmin:
    """get_urls, progress_view, progress_json_view, send_now_view for EditionAdmin."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        own = [
            path("<int:pk>/progress/", wrap(self.progress_view), name="subscriptions_edition_progress"),
            path("<int:pk>/progress.json", wrap(self.progress_json_view), name="subscriptions_edition_progress_json"),
            path("<int:pk>/send-now/", wrap(self.send_now_view), name="subscriptions_edition_send_now"),
        ]
        return own + super().get_urls()

    def _viewable(self, request: HttpRequest, pk: int) -> Edition:
        edition = get_object_or_404(Edition.objects.select_related("topic"), pk=pk)
        if not self.has_view_permission(request, edition):
            raise PermissionDenied
        return edition

    def progress_json_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        edition = self._viewable(request, pk)
        response = JsonResponse(edition_progress(edition).as_dict())
        response["Cache-Control"] = "no-store"
        return response

    def progress_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Works without JavaScript (reload for fresh numbers); with it, the page polls progress.json."""
        edition = self._viewable(request, pk)
        progress = edition_progress(edition)
        report = None
        if edition.status in {Edition.Status.SENT, Edition.Status.CANCELLED}:
            report = edition_report(edition)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Sending \u201c{edition.subject}\u201d",
            "edition": edition,
            "progress": progress,
            "bar": progress_bar(progress),
            "live": edition.status in LIVE,
            "report": report,
            "report_chart": report_chart(report) if report and report.emails else "",
            "as_of": timezone.now(),
            "time_zone": str(shop_zone()),
            "opts": self.model._meta,
            "original": edition,
        }
        return TemplateResponse(request, "admin/subscriptions/edition/progress.html", context)

    def send_now_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """GET: the confirmation, stating how many will receive it; POST with confirm=yes: plan and send."""
        edition = get_object_or_404(Edition.objects.select_related("topic"), pk=pk)
        if not self.has_change_permission(request, edition):
            raise PermissionDenied
        if edition.status not in mailing.SENDABLE_NOW:
            self.message_user(request, "Only a draft or scheduled edition can be sent now.", messages.ERROR)
            return redirect("admin:subscriptions_edition_change", pk)
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            queued = mailing.send_now(edition_id=pk)
            if queued is None:
                self.message_user(request, "This edition was no longer a draft or scheduled.", messages.ERROR)
                return redirect("admin:subscriptions_edition_change", pk)
            self.message_user(request, f"Sending now: {queued} email(s) queued.", messages.SUCCESS)
            return redirect("admin:subscriptions_edition_progress", pk)
        audience = audience_breakdown(mailing.as_sent_now(edition))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Send \u201c{edition.subject}\u201d now?",
            "edition": edition,
            "audience": audience,
            "skip_rows": [(SKIP_LABELS[key], audience.skipped[key]) for key in SKIP_LABELS],
            "opts": self.model._meta,
            "original": edition,
        }
        return TemplateResponse(request, "admin/subscriptions/edition/send_now.html", context)
