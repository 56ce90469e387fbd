"""Charts of the mailing for staff (server-rendered SVG, privacy.charts): subscribers per topic over time and by
frequency, what recent editions caused against the providers' thresholds, and an edition's audience."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from privacy.charts import Segment, bar_chart, line_chart, stacked_bar

from .edition_report import COMPLAINT_RATE_LIMIT, edition_report
from .models import Edition, Frequency, Subscription, Topic
from .selectors import SKIP_LABELS

WEEKS = 12


def subscribers_over_time(weeks: int = WEEKS, now: datetime.datetime | None = None):
    """Active or paused (not pending, not unsubscribed) subscriptions per topic at the end of each of the last
    `weeks` weeks: one aggregate query."""
    now = now or timezone.now()
    ends = [now - datetime.timedelta(weeks=w) for w in reversed(range(weeks))]
    held = Subscription.objects.exclude(state=Subscription.State.PENDING)
    counts = {
        f"w{i}": Count(
            "id", filter=Q(created_at__lte=end) & (Q(unsubscribed_at__isnull=True) | Q(unsubscribed_at__gt=end))
        )
        for i, end in enumerate(ends)
    }
    rows = held.values("topic_id").annotate(**counts).order_by()
    names = dict(Topic.objects.values_list("pk", "name"))
    series = {
        names.get(row["topic_id"], str(row["topic_id"])): [(end.date(), row[f"w{i}"]) for i, end in enumerate(ends)]
        for row in rows
    }
    return line_chart(series, label=f"Subscribers per topic, last {weeks} weeks")


def frequencies_per_topic() -> list[tuple[str, str]]:
    """(topic name, stacked bar of its active subscriptions by frequency)."""
    rows = (
        Subscription.objects.filter(state=Subscription.State.ACTIVE)
        .values("topic__name", "frequency")
        .annotate(n=Count("id"))
        .order_by("topic__position", "topic__name")
    )
    by_topic: dict[str, dict[str, int]] = {}
    for row in rows:
        by_topic.setdefault(row["topic__name"], {})[row["frequency"]] = row["n"]
    return [
        (
            name,
            stacked_bar(
                [Segment(label, counts.get(value, 0)) for value, label in Frequency.choices],
                label=f"{name}: active subscriptions by frequency",
            ),
        )
        for name, counts in by_topic.items()
    ]


def recent_editions_chart(count: int = 8):
    """Complaint, bounce and unsubscribe rates of the last sent editions; the complaint limit (0.3%) drawn."""
    editions = list(Edition.objects.filter(status=Edition.Status.SENT).order_by("-sent_at", "-pk")[:count])
    if not editions:
        return ""
    rows = []
    for edition in reversed(editions):
        report = edition_report(edition)
        name = edition.subject if len(edition.subject) <= 40 else edition.subject[:39] + "\u2026"
        rows += [
            (f"{name}: complaints", report.complaint_rate),
            (f"{name}: bounces", report.bounce_rate),
            (f"{name}: unsubscribes", report.unsubscribe_rate),
        ]
    return bar_chart(
        rows,
        label="Complaints, bounces and unsubscribes per email sent, last editions",
        threshold=COMPLAINT_RATE_LIMIT,
        threshold_label="complaint limit 0.3%",
        value_format="{:.2%}",
    )


def audience_chart(audience) -> str:
    """An edition's audience: who receives it and why the others don't, as one stacked bar."""
    segments = [Segment("will receive", audience.will_receive, "#009E73")]
    segments += [Segment(SKIP_LABELS[key], audience.skipped[key]) for key in SKIP_LABELS if audience.skipped[key]]
    return stacked_bar(segments, label="Audience of this edition")
