"""What staff see of an edition while and after it sends: live progress and the report of what it caused.

Attribution: the ConsentEvent ledger does not record which email prompted a change (an unsubscribe link carries the
subscriber and topic, not the edition), so an event counts for an edition when its subject is a recipient of the
edition and it happened within ATTRIBUTION_DAYS after that recipient's delivery was sent. Two editions sent to the
same person within that window may both count the same event; the report says so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import CharField, Count, Exists, Max, Min, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from privacy.models import ConsentEvent

from .models import Delivery, Edition, SuppressionReason

ATTRIBUTION_DAYS = 7
RATE_WINDOW_SECONDS = 60
# What mailbox providers tolerate (Gmail and Yahoo's bulk sender rules: spam complaints under 0.3%; bounces are
# commonly held under 2%).
COMPLAINT_RATE_LIMIT = 0.003
BOUNCE_RATE_LIMIT = 0.02
UNSUBSCRIBE_METHODS = [
    ConsentEvent.Method.EMAILED_LINK,
    ConsentEvent.Method.ONE_CLICK,
    ConsentEvent.Method.PREFERENCE_CENTER,
    ConsentEvent.Method.ESP_WEBHOOK,
]


@dataclass
class Progress:
    status: str
    status_label: str
    queued: int = 0
    retrying: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    rate_per_minute: float = 0.0
    seconds_left: int | None = None

    @property
    def total(self) -> int:
        return self.queued + self.retrying + self.sent + self.skipped + self.failed

    @property
    def done(self) -> int:
        return self.sent + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def time_left(self) -> str:
        if self.seconds_left is None:
            return "unknown (nothing sent in the last minute)" if self.queued + self.retrying else "none"
        minutes, seconds = divmod(self.seconds_left, 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return f"about {hours} h {minutes} min"
        return f"about {minutes} min {seconds} s" if minutes else f"about {seconds} s"

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "status_label": self.status_label,
            "queued": self.queued,
            "retrying": self.retrying,
            "sent": self.sent,
            "skipped": self.skipped,
            "failed": self.failed,
            "total": self.total,
            "percent": self.percent,
            "rate_per_minute": round(self.rate_per_minute, 1),
            "seconds_left": self.seconds_left,
            "time_left": self.time_left,
        }


def edition_progress(edition: Edition, now: datetime.datetime | None = None) -> Progress:
    """Counts by delivery state (a queued row already tried once is "retrying"), the send rate over the last
    minute and the time left at that rate. One aggregate query."""
    now = now or timezone.now()
    since = now - datetime.timedelta(seconds=RATE_WINDOW_SECONDS)
    queued = Q(status=Delivery.Status.QUEUED)
    counts = Delivery.objects.filter(edition_id=edition.pk).aggregate(
        queued=Count("id", filter=queued & Q(attempts=0)),
        retrying=Count("id", filter=queued & Q(attempts__gt=0)),
        sent=Count("id", filter=Q(status=Delivery.Status.SENT)),
        skipped=Count("id", filter=Q(status=Delivery.Status.SKIPPED)),
        failed=Count("id", filter=Q(status=Delivery.Status.FAILED)),
        recent=Count("id", filter=Q(status=Delivery.Status.SENT, sent_at__gte=since)),
    )
    recent = counts.pop("recent")
    progress = Progress(status=edition.status, status_label=edition.get_status_display(), **counts)
    progress.rate_per_minute = recent * 60 / RATE_WINDOW_SECONDS
    left = progress.queued + progress.retrying
    if left and recent and edition.status == Edition.Status.SENDING:
        progress.seconds_left = round(left * RATE_WINDOW_SECONDS / recent)
    return progress


@dataclass
class Report:
    sent: int
    emails: int
    sections: int
    skipped: int
    failed: int
    skip_reasons: list[tuple[str, int]]
    bounces: int = 0
    complaints: int = 0
    unsubscribes: int = 0
    fewer: int = 0
    window_days: int = ATTRIBUTION_DAYS

    @property
    def complaint_rate(self) -> float:
        return self.complaints / self.emails if self.emails else 0.0

    @property
    def bounce_rate(self) -> float:
        return self.bounces / self.emails if self.emails else 0.0

    @property
    def unsubscribe_rate(self) -> float:
        return self.unsubscribes / self.emails if self.emails else 0.0

    @property
    def complaint_percent(self) -> str:
        return f"{self.complaint_rate:.2%}"

    @property
    def bounce_percent(self) -> str:
        return f"{self.bounce_rate:.2%}"

    @property
    def unsubscribe_percent(self) -> str:
        return f"{self.unsubscribe_rate:.2%}"

    @property
    def complaints_over_limit(self) -> bool:
        return self.complaint_rate >= COMPLAINT_RATE_LIMIT

    @property
    def bounces_over_limit(self) -> bool:
        return self.bounce_rate >= BOUNCE_RATE_LIMIT


def attributed_events(edition: Edition):
    """ConsentEvents of the edition's recipients within ATTRIBUTION_DAYS after their delivery was sent."""
    window = datetime.timedelta(days=ATTRIBUTION_DAYS)
    sent = Delivery.objects.filter(edition_id=edition.pk, status=Delivery.Status.SENT, sent_at__isnull=False)
    bounds = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    if bounds["first"] is None:
        return ConsentEvent.objects.none()
    recipient = sent.annotate(
        ledger_subject=Concat(Value("subscriber:"), Cast("subscriber_id", CharField()), output_field=CharField())
    ).filter(
        ledger_subject=OuterRef("subject"),
        sent_at__lte=OuterRef("created_at"),
        sent_at__gte=OuterRef("created_at") - window,
    )
    return ConsentEvent.objects.filter(
        subject__startswith="subscriber:",
        created_at__gte=bounds["first"],
        created_at__lte=bounds["last"] + window,
    ).filter(Exists(recipient))


def edition_report(edition: Edition) -> Report:
    rows = Delivery.objects.filter(edition_id=edition.pk)
    counts = rows.aggregate(
        sent=Count("id", filter=Q(status=Delivery.Status.SENT)),
        emails=Count("id", filter=Q(status=Delivery.Status.SENT, carried_by__isnull=True)),
        sections=Count("id", filter=Q(status=Delivery.Status.SENT, carried_by__isnull=False)),
        skipped=Count("id", filter=Q(status=Delivery.Status.SKIPPED)),
        failed=Count("id", filter=Q(status=Delivery.Status.FAILED)),
    )
    reasons = list(
        rows.filter(status=Delivery.Status.SKIPPED)
        .values_list("error")
        .annotate(n=Count("id"))
        .order_by("-n", "error")
        .values_list("error", "n")
    )
    report = Report(**counts, skip_reasons=[(reason or "not given", n) for reason, n in reasons])
    withdrawn = Q(action=ConsentEvent.Action.WITHDRAWN)
    bounce_values = [SuppressionReason.BOUNCE, SuppressionReason.SOFT_BOUNCES]
    caused = attributed_events(edition).aggregate(
        bounces=Count("subject", distinct=True, filter=withdrawn & Q(value__in=bounce_values)),
        complaints=Count("subject", distinct=True, filter=withdrawn & Q(value=SuppressionReason.COMPLAINT)),
        unsubscribes=Count("subject", distinct=True, filter=withdrawn & Q(value="", method__in=UNSUBSCRIBE_METHODS)),
        fewer=Count(
            "subject", distinct=True, filter=Q(action=ConsentEvent.Action.CHANGED, purpose__startswith="topic:")
        ),
    )
    for name, value in caused.items():
        setattr(report, name, value)
    return report
