"""Who may receive a commercial email, stated once: a table of conditions, all of which must hold.

Each row says, for one subscription on a given day, what must be true (`holds`, a Q on Subscription), why someone is
skipped when it isn't (`key` for the admin's audience counts, `why` for the explanation), and, where it applies, how
the privacy audit sees a delivery sent while it did not hold (`broken_at_send`, a Q on Delivery). From this table:
`selectors.eligible_subscriptions` (the planner, the send-time re-check, the preference center), the skip reasons of
`selectors.audience_breakdown` and `selectors.explain_receipts`, and the audit's `deliveries_to_ineligible`.
Order matters: a skipped subscription is explained by the first condition that fails.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Q

from .models import Frequency, Subscriber, Subscription


@dataclass(frozen=True)
class Condition:
    key: str
    holds: Callable[[datetime.date], Q]
    why: Callable[[Subscriber, Subscription | None, datetime.date], str]
    broken_at_send: Q | None = None
    about_subscriber: bool = False  # holds only on the Subscriber (fields under `subscriber__`)


def _suppressed(subscriber: Subscriber, subscription: Subscription | None, day: datetime.date) -> str:
    return f"Address suppressed ({subscriber.get_suppressed_reason_display().lower()})."


CONDITIONS: list[Condition] = [
    Condition(
        "suppressed",
        lambda day: Q(subscriber__suppressed_at__isnull=True),
        _suppressed,
        broken_at_send=Q(subscriber__suppressed_at__lte=F("sent_at")),
        about_subscriber=True,
    ),
    Condition(
        "unsubscribed",
        lambda day: Q(subscriber__unsubscribed_all_at__isnull=True),
        lambda subscriber, subscription, day: "Unsubscribed from all marketing.",
        broken_at_send=Q(subscriber__unsubscribed_all_at__lte=F("sent_at")),
        about_subscriber=True,
    ),
    Condition(
        "unsubscribed",
        lambda day: ~Q(state=Subscription.State.UNSUBSCRIBED),
        lambda subscriber, subscription, day: "Unsubscribed from this topic.",
        broken_at_send=Q(
            subscription__state=Subscription.State.UNSUBSCRIBED, subscription__unsubscribed_at__lte=F("sent_at")
        ),
    ),
    Condition(
        "unconfirmed",
        lambda day: Q(subscriber__confirmed_at__isnull=False, state=Subscription.State.ACTIVE),
        lambda subscriber, subscription, day: "Waiting for the address to be confirmed (double opt-in).",
        broken_at_send=Q(subscriber__confirmed_at__isnull=True) | Q(subscriber__confirmed_at__gt=F("sent_at")),
    ),
    Condition(
        "paused",
        lambda day: ~Q(frequency=Frequency.PAUSED),
        lambda subscriber, subscription, day: "Paused by the subscriber (no end date).",
    ),
    Condition(
        "paused",
        lambda day: Q(paused_until__isnull=True) | Q(paused_until__lt=day),
        lambda subscriber, subscription, day: f"Paused until {subscription.paused_until.isoformat()}.",
    ),
    Condition(
        "inactive",
        lambda day: Q(subscriber__user__isnull=True) | Q(subscriber__user__is_active=True),
        lambda subscriber, subscription, day: "The linked account is deactivated.",
    ),
    Condition(
        "inactive",
        lambda day: Q(topic__is_active=True),
        lambda subscriber, subscription, day: "The topic is not active.",
    ),
]


def eligible_q(day: datetime.date) -> Q:
    """Every condition, for a filter on Subscription."""
    q = Q()
    for condition in CONDITIONS:
        q &= condition.holds(day)
    return q


def first_failed(day: datetime.date) -> list[tuple[int, Q]]:
    """(row index, Q that is true when that row fails), in table order: for a Case/When that names the reason."""
    return [(index, ~condition.holds(day)) for index, condition in enumerate(CONDITIONS)]


def broken_at_send() -> Q:
    """On Delivery: sent while some condition that a timestamp can prove did not hold."""
    q = Q()
    for condition in CONDITIONS:
        if condition.broken_at_send is not None:
            q |= condition.broken_at_send
    return q


def _on_subscriber(q: Q) -> Q:
    """The same Q, on Subscriber instead of Subscription (for conditions `about_subscriber`)."""
    clone = Q(*[], _connector=q.connector, _negated=q.negated)
    for child in q.children:
        if isinstance(child, Q):
            clone.children.append(_on_subscriber(child))
        else:
            key, value = child
            clone.children.append((key.removeprefix("subscriber__"), value))
    return clone


def failed_subscriber_condition(subscriber: Subscriber, day: datetime.date) -> Condition | None:
    """The first condition about the subscriber alone that fails (for a topic they have no subscription to)."""
    from django.db.models import Case, IntegerField, Value, When

    whens = [
        When(_on_subscriber(~condition.holds(day)), then=Value(index))
        for index, condition in enumerate(CONDITIONS)
        if condition.about_subscriber
    ]
    index = (
        Subscriber.objects.filter(pk=subscriber.pk)
        .annotate(failed=Case(*whens, default=None, output_field=IntegerField()))
        .values_list("failed", flat=True)
        .first()
    )
    return None if index is None else CONDITIONS[index]
