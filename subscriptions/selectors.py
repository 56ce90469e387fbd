"""Reads that carry a rule. `eligible_subscriptions` is THE rule for who may receive commercial email."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from privacy import selectors as privacy_selectors
from privacy.models import ConsentEvent

from . import eligibility
from .app_settings import app_settings
from .models import Delivery, Edition, Subscriber, Subscription, Topic
from .schedule import due_frequencies, shop_zone, upcoming_slots, week_of


def subscribers_of(user) -> QuerySet[Subscriber]:
    """The account's Subscribers: the one linked to it and any guest Subscriber with any address of the account
    (privacy.data_rights.person_emails: its address and every address it ever confirmed). For a guest
    privacy.data_rights.Person: the guest Subscribers with its address, never one linked to an account."""
    from privacy.data_rights import account_of, person_emails

    account = account_of(user)
    if account is None:
        return Subscriber.objects.filter(user__isnull=True, email__in=person_emails(user))
    return Subscriber.objects.filter(Q(user_id=account.pk) | Q(email__in=person_emails(user)))


def subscriber_of(user) -> Subscriber | None:
    """The account's Subscriber: the linked one, else a guest Subscriber with the account's address."""
    return subscribers_of(user).order_by(Case(When(user_id=user.pk, then=0), default=1), "pk").first()


def shop_today() -> datetime.date:
    """Today on the shop's calendar (SUBSCRIPTIONS_TIME_ZONE): for pauses, slots and the age screen."""
    return timezone.localdate(timezone=shop_zone())


def eligible_subscriptions(
    topic: Topic | int | None, *, frequencies: Iterable[str] | None = None, on: datetime.date | None = None
) -> QuerySet[Subscription]:
    """The subscriptions of `topic` that may receive a commercial email on `on` (default: today in the shop).

    A subscription qualifies only when every condition of `subscriptions.eligibility.CONDITIONS` holds: the address
    isn't suppressed, nobody unsubscribed (from everything or the topic), the address is confirmed and the
    subscription active, it isn't paused (for good or on that day), the linked account (if any) and the topic are
    active. `topic=None` covers every topic. `frequencies` narrows the result to the subscriptions due in a slot
    (e.g. ["twice_weekly", "weekly"]). The planner, the send-time re-check and the admin all use this one query.
    """
    day = on or shop_today()
    queryset = Subscription.objects.filter(eligibility.eligible_q(day))
    if topic is not None:
        queryset = queryset.filter(topic_id=topic.pk if isinstance(topic, Topic) else topic)
    if frequencies is not None:
        queryset = queryset.filter(frequency__in=list(frequencies))
    return queryset


def _failed_condition(day: datetime.date) -> Case:
    """The index in CONDITIONS of the first condition a subscription fails (None when it is eligible)."""
    whens = [When(failed, then=Value(index)) for index, failed in eligibility.first_failed(day)]
    return Case(*whens, default=None, output_field=IntegerField())


@dataclass(frozen=True)
class Receipt:
    topic: Topic
    receives: bool
    reason: str


def explain_receipts(subscriber: Subscriber, *, on: datetime.date | None = None) -> list[Receipt]:
    """For each active topic: will this subscriber get commercial email, and why (or why not).

    Both the yes/no and the reason come from the conditions of eligible_subscriptions.
    """
    day = on or shop_today()
    topics = list(Topic.objects.filter(is_active=True))
    subscriptions = {s.topic_id: s for s in subscriber.subscriptions.annotate(failed=_failed_condition(day)).order_by()}
    receipts = []
    for topic in topics:
        subscription = subscriptions.get(topic.pk)
        if subscription is None:
            condition = eligibility.failed_subscriber_condition(subscriber, day)
            reason = "Not subscribed to this topic." if condition is None else condition.why(subscriber, None, day)
            receipts.append(Receipt(topic, False, reason))
        elif subscription.failed is None:
            receipts.append(Receipt(topic, True, f"{subscription.get_frequency_display()}."))
        else:
            condition = eligibility.CONDITIONS[subscription.failed]
            receipts.append(Receipt(topic, False, condition.why(subscriber, subscription, day)))
    return receipts


def consent_history(subscriber: Subscriber, *, limit: int = 200) -> QuerySet[ConsentEvent]:
    """The subscriber's consent ledger, newest first."""
    return privacy_selectors.consent_events([subscriber.ledger_subject])[:limit]


def emails_in_week(week: datetime.date) -> QuerySet[Delivery]:
    """The marketing emails of an ISO week (`week` is its Monday, schedule.week_of): delivery rows that are an email
    of their own (not a section carried by another), queued or sent. What SUBSCRIPTIONS_WEEKLY_CAP counts, per
    subscriber: the planner, the admin's audience and the privacy audit use it."""
    return Delivery.objects.filter(
        week=week, carried_by__isnull=True, status__in=[Delivery.Status.QUEUED, Delivery.Status.SENT]
    )


def weekly_cap_note() -> str:
    """One sentence for every place that says what someone will receive."""
    cap = app_settings.WEEKLY_CAP
    # (Two messages rather than ngettext: the catalogue check reads plural entries as stale; cap is 1 or more.)
    if cap == 1:
        return gettext(
            "Whatever the topics and frequencies, one person gets at most 1 marketing email a week; topics due on "
            "the same day arrive as one email with a section per topic."
        )
    return gettext(
        "Whatever the topics and frequencies, one person gets at most %(cap)d marketing emails a week; topics due on "
        "the same day arrive as one email with a section per topic."
    ) % {"cap": cap}


@dataclass(frozen=True)
class Audience:
    will_receive: int
    skipped: dict[str, int]
    combined: int = 0  # of will_receive: also due another topic in the slot, so they get it as a section of one email
    cap: int = 0
    by_language: dict[str, int] = field(default_factory=dict)  # of will_receive: per language (settings.LANGUAGES)


SKIP_LABELS = {
    "suppressed": "suppressed (bounce or complaint)",
    "unsubscribed": "unsubscribed",
    "unconfirmed": "unconfirmed",
    "paused": "paused",
    "inactive": "inactive account or topic",
    "other_frequency": "other frequency",
    "weekly_cap": "already had the week's cap of marketing emails",
}


def audience_breakdown(edition) -> Audience:
    """Who an edition will reach in its slot, and why everyone else among the topic's subscribers is skipped.

    The number that receives comes from eligible_subscriptions; everyone else among the topic's subscribers is
    counted once, under the first condition of the same table that they fail.
    """
    slot_at = edition.slot_at or upcoming_slots(1)[0]
    frequencies = edition.frequencies or due_frequencies(slot_at)
    day = slot_at.astimezone(shop_zone()).date()
    eligible = eligible_subscriptions(edition.topic_id, frequencies=frequencies, on=day)
    rows = (
        Subscription.objects.filter(topic_id=edition.topic_id)
        .exclude(pk__in=eligible.values("pk"))
        .annotate(failed=_failed_condition(day))
        .values("failed")
        .annotate(n=Count("pk"))
        .order_by()
    )
    skipped = dict.fromkeys(SKIP_LABELS, 0)
    for row in rows:
        # Eligible on every condition but not due in this slot: another frequency.
        key = "other_frequency" if row["failed"] is None else eligibility.CONDITIONS[row["failed"]].key
        skipped[key] += row["n"]
    # The weekly cap and combining: the other editions of the same slot go out with this one, one email per person.
    siblings = list(
        Edition.objects.filter(
            slot_at=slot_at, status__in=[Edition.Status.SCHEDULED, Edition.Status.SENDING, Edition.Status.PAUSED]
        )
        .exclude(pk=edition.pk)
        .values_list("pk", "topic_id")
    )
    slot_editions = [edition.pk, *(pk for pk, _ in siblings)]
    full = (
        emails_in_week(week_of(slot_at))
        .exclude(edition_id__in=[pk for pk in slot_editions if pk])
        .values("subscriber_id")
        .annotate(n=Count("id"))
        .filter(n__gte=app_settings.WEEKLY_CAP)
        .values("subscriber_id")
    )
    capped = eligible.filter(subscriber_id__in=full)
    skipped["weekly_cap"] = capped.count()
    receiving = eligible.exclude(subscriber_id__in=full)
    combined = 0
    if siblings:  # (same slot, same frequencies due)
        also = Q()
        for _, topic_id in siblings:
            also |= Q(
                subscriber_id__in=eligible_subscriptions(topic_id, frequencies=frequencies, on=day).values(
                    "subscriber_id"
                )
            )
        combined = receiving.filter(also).count()
    by_language = _by_language(receiving)
    return Audience(
        will_receive=sum(by_language.values()),
        skipped=skipped,
        combined=combined,
        cap=app_settings.WEEKLY_CAP,
        by_language=by_language,
    )


def _by_language(subscriptions: QuerySet[Subscription]) -> dict[str, int]:
    """{language code: how many} in settings.LANGUAGES order, every language listed; a subscriber with no language
    (or one the site no longer offers) counts under the default language, whose version they get."""
    counts = dict.fromkeys((code for code, _name in settings.LANGUAGES), 0)
    rows = subscriptions.values("subscriber__language").annotate(n=Count("pk")).order_by()
    for language, n in rows.values_list("subscriber__language", "n"):
        counts[language if language in counts else settings.LANGUAGE_CODE] += n
    return counts


def emails_sent_section(user, *, limit: int = 100) -> list[dict]:
    """ "Emails we sent you" for the privacy dashboard: transactional mail from the sent-email log (found by the
    keyed hashes of every address of the account) and commercial mail from sent deliveries, newest first."""
    from privacy.data_rights import person_emails

    from .addresses import email_hash
    from .models import Delivery, SentEmail

    sent, subject, kind = gettext("Sent"), gettext("Subject"), gettext("Kind")  # column names, the reader's words
    transactional = [
        {sent: row.sent_at, subject: row.subject, kind: row.get_kind_display()}
        for row in SentEmail.objects.filter(recipient_hash__in=[email_hash(e) for e in person_emails(user)])[:limit]
    ]
    emails = list(
        Delivery.objects.filter(subscriber__user=user, status=Delivery.Status.SENT, carried_by__isnull=True)
        .select_related("edition__topic")
        .order_by("-sent_at")[:limit]
    )
    also: dict[int, list[str]] = {}  # topics that came as sections of the same email, in the reader's words
    for section in (
        Delivery.objects.filter(carried_by_id__in=[row.pk for row in emails], status=Delivery.Status.SENT)
        .select_related("edition__topic")
        .order_by("edition__topic__position", "edition__topic_id")
    ):
        also.setdefault(section.carried_by_id, []).append(section.edition.topic.local_name)
    commercial = [
        {
            sent: row.sent_at,
            subject: row.edition.subject,
            kind: gettext("Marketing: %(topics)s")
            % {"topics": " + ".join([row.edition.topic.local_name, *also.get(row.pk, [])])},
        }
        for row in emails
    ]
    # Datetimes, not text: the page writes them on the shop's clock in its one date format.
    return sorted(transactional + commercial, key=lambda row: row[sent], reverse=True)[:limit]
