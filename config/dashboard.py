"""The admin home: today's to-dos (each shown only to staff who may act on it) and the charts (config.dashboard_charts).

config wires the apps together, so it is the one place that reads reviews, privacy, shop and subscriptions at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext


@dataclass(frozen=True)
class Todo:
    text: str
    url: str
    urgent: bool = False


def review_todos(user) -> list[Todo]:
    from reviews.models import Review, ReviewStatus

    if not user.has_perm("reviews.change_review"):
        return []
    waiting = Review.objects.filter(status=ReviewStatus.PENDING).count()
    if not waiting:
        return []
    url = reverse("admin:reviews_review_changelist") + "?status__exact=pending"
    text = ngettext("%(count)s review awaiting moderation", "%(count)s reviews awaiting moderation", waiting)
    return [Todo(text % {"count": waiting}, url)]


def data_request_todos(user, now=None) -> list[Todo]:
    from privacy.admin_requests import CLOSED, NEAR_DUE_DAYS, due_state
    from privacy.models import DataRequest

    if not user.has_perm("privacy.view_datarequest"):
        return []
    now = now or timezone.now()
    soon = now + timezone.timedelta(days=NEAR_DUE_DAYS)
    open_requests = DataRequest.objects.exclude(status__in=CLOSED).filter(due_at__lte=soon).order_by("due_at")
    counts: Counter[tuple[str, str]] = Counter(due_state(r, now) for r in open_requests)
    url = reverse("admin:privacy_datarequest_changelist")
    todos = []
    for (state, text), count in sorted(counts.items(), key=lambda item: item[0][0] != "overdue"):
        line = ngettext("%(count)s data request %(state)s", "%(count)s data requests %(state)s", count)
        todos.append(Todo(line % {"count": count, "state": text}, url, urgent=state == "overdue"))
    return todos


def edition_todos(user) -> list[Todo]:
    from subscriptions.models import Edition

    if not user.has_perm("subscriptions.view_edition"):
        return []
    todos = []
    for edition in Edition.objects.filter(status__in=[Edition.Status.SENDING, Edition.Status.PAUSED]).order_by("pk"):
        url = reverse("admin:subscriptions_edition_progress", args=[edition.pk])
        text = gettext("Edition “%(subject)s” is %(status)s") % {
            "subject": edition.subject,
            "status": edition.get_status_display().lower(),
        }
        todos.append(Todo(text, url))
    return todos


def ticket_todos(user) -> list[Todo]:
    from shop.models import SupportTicket

    if not user.has_perm("shop.change_supportticket"):
        return []
    waiting = SupportTicket.objects.filter(status=SupportTicket.Status.OPEN).count()
    if not waiting:
        return []
    url = reverse("admin:shop_supportticket_changelist") + "?status__exact=open"
    text = ngettext("%(count)s support ticket to answer", "%(count)s support tickets to answer", waiting)
    return [Todo(text % {"count": waiting}, url)]


def todos_for(user) -> list[Todo]:
    return [*data_request_todos(user), *review_todos(user), *ticket_todos(user), *edition_todos(user)]


def dashboard_context(request) -> dict:
    from .dashboard_charts import charts_for

    return {"todos": todos_for(request.user), "charts": charts_for(request.user)}
