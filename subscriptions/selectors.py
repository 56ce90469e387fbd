"""Reads that carry a rule. `eligible_subscriptions` is THE rule for who may receive commercial email."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils import timezone

from privacy.models import ConsentEvent

from .models import Frequency, Subscriber, Subscription, Topic
from .schedule import due_frequencies, shop_zone, upcoming_slots


def shop_today() -> datetime.date:
    """Today on the shop's calendar (SHOP_TIME_ZONE): for pauses, slots and the age screen."""
    return timezone.localdate(timezone=shop_zone())


def eligible_subscriptions(
    topic: Topic | int | None, *, frequencies: Iterable[str] | None = None, on: datetime.date | None = None
) -> QuerySet[Subscription]:
    """The subscriptions of `topic` that may receive a commercial email on `on` (default: today in the shop).

    A subscription qualifies only when ALL of these hold:
    - the topic is active;
    - the subscription is active (not waiting for confirmation, not unsubscribed) and its frequency isn't "paused";
    - it isn't paused on that day (`paused_until` is empty or before it);
    - the subscriber has confirmed the address (double opt-in, or the account's email confirmation);
    - the subscriber hasn't unsubscribed from all marketing;
    - the address isn't suppressed (hard bounce or spam complaint);
    - when linked to an account, that account is active.
    `topic=None` covers every topic (for per-subscriber explanations).
    `frequencies` narrows the result to the subscriptions due in a slot (e.g. ["twice_weekly", "weekly"]).
    The planner, the send-time re-check, the admin's explanation and the privacy audit all use this one query.
    """
    day = on or shop_today()
    queryset = Subscription.objects.all()
    if topic is not None:
        queryset = queryset.filter(topic_id=topic.pk if isinstance(topic, Topic) else topic)
    queryset = (
        queryset.filter(
            topic__is_active=True,
            state=Subscription.State.ACTIVE,
            subscriber__confirmed_at__isnull=False,
            subscriber__unsubscribed_all_at__isnull=True,
            subscriber__suppressed_at__isnull=True,
        )
        .exclude(frequency=Frequency.PAUSED)
        .filter(Q(paused_until__isnull=True) | Q(paused_until__lt=day))
        .filter(Q(subscriber__user__isnull=True) | Q(subscriber__user__is_active=True))
    )
    if frequencies is not None:
        queryset = queryset.filter(frequency__in=list(frequencies))
    return queryset


def is_eligible(subscription: Subscription, *, on: datetime.date | None = None) -> bool:
    """The send-time re-check for one subscription (the same rule as eligible_subscriptions)."""
    return eligible_subscriptions(subscription.topic_id, on=on).filter(pk=subscription.pk).exists()


@dataclass(frozen=True)
class Receipt:
    topic: Topic
    receives: bool
    reason: str


def explain_receipts(subscriber: Subscriber, *, on: datetime.date | None = None) -> list[Receipt]:
    """For each active topic: will this subscriber get commercial email, and why (or why not).

    The yes/no comes from eligible_subscriptions; the reason only explains it.
    """
    day = on or shop_today()
    topics = list(Topic.objects.filter(is_active=True))
    subscriptions = {s.topic_id: s for s in subscriber.subscriptions.all()}
    eligible = set(
        eligible_subscriptions(None, on=day).filter(subscriber=subscriber).values_list("topic_id", flat=True)
    )
    receipts = []
    for topic in topics:
        subscription = subscriptions.get(topic.pk)
        if topic.pk in eligible:
            reason = f"{subscription.get_frequency_display()}."
            receipts.append(Receipt(topic, True, reason))
            continue
        receipts.append(Receipt(topic, False, _why_not(subscriber, subscription, day)))
    return receipts


def _why_not(subscriber: Subscriber, subscription: Subscription | None, day: datetime.date) -> str:
    if subscriber.suppressed_at is not None:
        return f"Address suppressed ({subscriber.get_suppressed_reason_display().lower()})."
    if subscriber.unsubscribed_all_at is not None:
        return "Unsubscribed from all marketing."
    if subscription is None:
        return "Not subscribed to this topic."
    if subscription.state == Subscription.State.UNSUBSCRIBED:
        return "Unsubscribed from this topic."
    if subscriber.confirmed_at is None or subscription.state == Subscription.State.PENDING:
        return "Waiting for the address to be confirmed (double opt-in)."
    if subscription.frequency == Frequency.PAUSED:
        return "Paused by the subscriber (no end date)."
    if subscription.paused_until is not None and subscription.paused_until >= day:
        return f"Paused until {subscription.paused_until.isoformat()}."
    if subscriber.user_id is not None and not subscriber.user.is_active:
        return "The linked account is deactivated."
    return "Not eligible."


def consent_history(subscriber: Subscriber, *, limit: int = 200) -> QuerySet[ConsentEvent]:
    """The subscriber's consent ledger, newest first."""
    return ConsentEvent.objects.filter(subject=subscriber.ledger_subject).select_related("policy_version")[:limit]


@dataclass(frozen=True)
class Audience:
    will_receive: int
    skipped: dict[str, int]


SKIP_LABELS = {
    "suppressed": "suppressed (bounce or complaint)",
    "unsubscribed": "unsubscribed",
    "unconfirmed": "unconfirmed",
    "paused": "paused",
    "inactive": "inactive account or topic",
    "other_frequency": "other frequency",
}


def audience_breakdown(edition) -> Audience:
    """Who an edition will reach in its slot, and why everyone else among the topic's subscribers is skipped.

    The number that receives comes from eligible_subscriptions (the rule); the skip reasons only explain the rest,
    each subscription counted once under the first reason that applies.
    """
    slot_at = edition.slot_at or upcoming_slots(1)[0]
    frequencies = edition.frequencies or due_frequencies(slot_at)
    day = slot_at.astimezone(shop_zone()).date()
    eligible = eligible_subscriptions(edition.topic_id, frequencies=frequencies, on=day)
    reasons = (
        Subscription.objects.filter(topic_id=edition.topic_id)
        .exclude(pk__in=eligible.values("pk"))
        .annotate(
            reason=Case(
                When(subscriber__suppressed_at__isnull=False, then=Value("suppressed")),
                When(
                    Q(subscriber__unsubscribed_all_at__isnull=False) | Q(state=Subscription.State.UNSUBSCRIBED),
                    then=Value("unsubscribed"),
                ),
                When(
                    Q(subscriber__confirmed_at__isnull=True) | Q(state=Subscription.State.PENDING),
                    then=Value("unconfirmed"),
                ),
                When(Q(frequency=Frequency.PAUSED) | Q(paused_until__gte=day), then=Value("paused")),
                When(Q(subscriber__user__is_active=False) | Q(topic__is_active=False), then=Value("inactive")),
                default=Value("other_frequency"),
                output_field=CharField(),
            )
        )
        .values("reason")
        .annotate(n=Count("pk"))
    )
    skipped = dict.fromkeys(SKIP_LABELS, 0)
    skipped.update({row["reason"]: row["n"] for row in reasons})
    return Audience(will_receive=eligible.count(), skipped=skipped)


def emails_sent_section(user, *, limit: int = 100) -> list[dict]:
    """ "Emails we sent you" for the privacy dashboard: transactional mail from the sent-email log (found by the
    keyed hashes of every address of the account) and commercial mail from sent deliveries, newest first."""
    from privacy.data_rights import person_emails

    from .addresses import email_hash
    from .models import Delivery, SentEmail

    transactional = [
        {"Sent": row.sent_at, "Subject": row.subject, "Kind": row.get_kind_display()}
        for row in SentEmail.objects.filter(recipient_hash__in=[email_hash(e) for e in person_emails(user)])[:limit]
    ]
    commercial = [
        {"Sent": row.sent_at, "Subject": row.edition.subject, "Kind": f"Marketing: {row.edition.topic.name}"}
        for row in Delivery.objects.filter(subscriber__user=user, status=Delivery.Status.SENT)
        .select_related("edition__topic")
        .order_by("-sent_at")[:limit]
    ]
    rows = sorted(transactional + commercial, key=lambda row: row["Sent"], reverse=True)[:limit]
    return [{**row, "Sent": f"{timezone.localtime(row['Sent']):%Y-%m-%d %H:%M}"} for row in rows]
