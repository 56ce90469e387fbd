"""What subscriptions contributes to the privacy center: export sections, the eraser of the subscriber (the
address is kept only as a keyed hash in the suppression list) and three audit checks (registered in ready())."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, DateField, Q
from django.db.models.functions import Coalesce, Trunc

from privacy.data_rights import erased_email, is_erased_email, person_emails
from privacy.models import ConsentEvent
from privacy.selectors import consent_events

from . import eligibility
from .addresses import email_hash
from .app_settings import app_settings
from .models import AnnouncementDelivery, Delivery, SentEmail, Subscriber, Subscription, Suppression, SuppressionReason
from .schedule import shop_zone
from .selectors import subscribers_of
from .services import ALL_MARKETING, add_suppression, rotate_subscriber_key, unsubscribe_all

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def _hashes(user: AbstractBaseUser) -> list[str]:
    return [email_hash(email) for email in person_emails(user)]


def export_subscriptions(user: AbstractBaseUser) -> list[dict]:
    items = []
    for subscriber in subscribers_of(user).prefetch_related("subscriptions__topic"):
        items.append(
            {
                "email": subscriber.email,
                "created_at": subscriber.created_at,
                "confirmed_at": subscriber.confirmed_at,
                "unsubscribed_all_at": subscriber.unsubscribed_all_at,
                "suppressed_reason": subscriber.suppressed_reason,
                "topics": [
                    {
                        "topic": s.topic.name,
                        "state": s.state,
                        "frequency": s.frequency,
                        "paused_until": s.paused_until,
                        "unsubscribed_at": s.unsubscribed_at,
                    }
                    for s in subscriber.subscriptions.all()
                ],
            }
        )
    return items


def export_deliveries(user: AbstractBaseUser) -> list[dict]:
    rows = (
        Delivery.objects.filter(subscriber__in=subscribers_of(user))
        .select_related("edition")
        .order_by("edition__slot_at", "id")
    )
    return [
        {
            "newsletter": d.edition.subject,
            "status": d.status,
            "sent_at": d.sent_at,
            "edition_id": d.edition_id,
            # a topic due in the same slot as another went as a section of that email (one email, several topics)
            "in_the_email_of_delivery": d.carried_by_id,
            "delivery_id": d.pk,
        }
        for d in rows
    ]


def export_emails_sent(user: AbstractBaseUser) -> list[dict]:
    """Transactional emails sent to the account's address (the log keys them by a hash of the address)."""
    return [
        {"sent_at": row.sent_at, "kind": row.kind, "subject": row.subject, "reference": row.object_id}
        for row in SentEmail.objects.filter(recipient_hash__in=_hashes(user)).order_by("sent_at", "id")
    ]


def export_announcements(user: AbstractBaseUser) -> list[dict]:
    """Service announcements addressed to the account (transactional mail to every active account)."""
    return [
        {"announcement": row.announcement.subject, "sent_at": row.sent_at}
        for row in AnnouncementDelivery.objects.filter(user_id=user.pk).select_related("announcement").order_by("id")
    ]


def subscriptions_section(user: AbstractBaseUser) -> list[dict]:
    """ "What we hold about you": the addresses we mail and each topic's state (one query with its topics)."""
    items = []
    for subscriber in subscribers_of(user).prefetch_related("subscriptions__topic"):
        topics = list(subscriber.subscriptions.all())
        if not topics:
            items.append({"Address": subscriber.email, "Topic": "none"})
        for subscription in topics:
            items.append(
                {
                    "Address": subscriber.email,
                    "Topic": subscription.topic.name,
                    "State": subscription.get_state_display(),
                    "How often": subscription.get_frequency_display(),
                    "Paused until": subscription.paused_until or "",
                }
            )
    return items


def erase_subscriber(user: AbstractBaseUser, *, retention: datetime.timedelta) -> dict:
    """Unsubscribe from everything (ledgered), void every emailed link, put the address on the suppression
    list as a keyed hash and replace it on the row. Delivery rows stay (they prove what was sent, to whom
    by id only); queued ones are skipped."""
    erased = 0
    for subscriber in subscribers_of(user):
        unsubscribe_all(subscriber=subscriber, method=ConsentEvent.Method.ACCOUNT_DELETION)
        subscriber = rotate_subscriber_key(subscriber=subscriber)
        add_suppression(email=subscriber.email, reason=SuppressionReason.ERASURE)
        Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SKIPPED, error="account erased"
        )
        Subscriber.objects.filter(pk=subscriber.pk).update(email=erased_email(subscriber.pk, "subscriber"))
        erased += 1
    # every erased account's address goes on the list, subscribed or not: nobody mails it again
    for email in person_emails(user):
        add_suppression(email=email, reason=SuppressionReason.ERASURE)
    # the sent-email log's subjects may name the person; the suppression list keeps the address out of mailings
    sent_emails = SentEmail.objects.filter(recipient_hash__in=_hashes(user)).delete()[0]
    return {"subscribers_anonymised": erased, "suppressed": True, "sent_emails_deleted": sent_emails}


def subscriber_leftover(user: AbstractBaseUser) -> int:
    return sum(1 for s in Subscriber.objects.filter(user_id=user.pk) if not is_erased_email(s.email))


def deliveries_to_ineligible() -> tuple[int, list]:
    """Commercial deliveries marked sent to someone not eligible at that moment: a condition of
    subscriptions.eligibility that timestamps can prove (unconfirmed, suppressed, unsubscribed from all marketing or
    the topic) did not hold when it went out. Delivery ids."""
    rows = Delivery.objects.filter(status=Delivery.Status.SENT, sent_at__isnull=False).filter(
        eligibility.broken_at_send()
    )
    return rows.count(), list(rows.order_by("id").values_list("id", flat=True)[:5])


def emails_over_weekly_cap() -> tuple[int, list]:
    """People who were sent more marketing emails in one ISO week (shop time zone) than SUBSCRIPTIONS_WEEKLY_CAP:
    sent delivery rows that were an email of their own (a section carried by another email is not one), by the week
    the planner gave them (or, for a row without one, the week it was sent in). Subscriber ids."""
    week = Coalesce(
        "week", Trunc("sent_at", "week", output_field=DateField(), tzinfo=shop_zone()), output_field=DateField()
    )
    over = (
        Delivery.objects.filter(status=Delivery.Status.SENT, carried_by__isnull=True, sent_at__isnull=False)
        .annotate(cap_week=week)
        .values("subscriber_id", "cap_week")
        .annotate(n=Count("id"))
        .filter(n__gt=app_settings.WEEKLY_CAP)
        .order_by("subscriber_id", "cap_week")
    )
    rows = list(over.values_list("subscriber_id", flat=True)[:1000])
    return len(rows), list(dict.fromkeys(rows))[:5]


# What each last ledger action says the subscription's state must be.
_EXPECTED_STATE = {
    ConsentEvent.Action.GRANTED: {Subscription.State.ACTIVE},
    ConsentEvent.Action.CHANGED: {Subscription.State.ACTIVE},
    ConsentEvent.Action.REQUESTED: {Subscription.State.PENDING},
    ConsentEvent.Action.WITHDRAWN: {Subscription.State.UNSUBSCRIBED},
}


def state_disagrees_with_ledger() -> tuple[int, list]:
    """Subscriptions whose state is not what the last ConsentEvent about them says: the last event for the
    topic, or a later "unsubscribe from all" (suppressions, pauses and "resubscribe all", which restores each
    topic as it was, don't set a state by themselves). Subscription ids. One query per 2,000 subscriptions."""
    found = []
    subscriptions = Subscription.objects.select_related("topic", "subscriber").order_by("subscriber_id", "id")
    batch: list[Subscription] = []

    def flush() -> None:
        subjects = {s.subscriber.ledger_subject for s in batch}
        events: dict[tuple[str, str], ConsentEvent] = {}
        for event in (
            consent_events(subjects)
            .exclude(purpose=ALL_MARKETING, action=ConsentEvent.Action.CHANGED)
            .exclude(purpose=ALL_MARKETING, value__in=SuppressionReason.values)
            .filter(Q(purpose__startswith="topic:") | Q(purpose=ALL_MARKETING))
            .order_by("created_at", "id")
        ):
            events[(event.subject, event.purpose)] = event
        for subscription in batch:
            subject = subscription.subscriber.ledger_subject
            last = events.get((subject, f"topic:{subscription.topic.slug}"))
            overall = events.get((subject, ALL_MARKETING))
            withdrawn_all = overall is not None and overall.action == ConsentEvent.Action.WITHDRAWN
            if withdrawn_all and (last is None or overall.created_at > last.created_at):
                last = overall
            if last is None:
                continue
            expected = set(_EXPECTED_STATE.get(last.action, {subscription.state}))
            if last.action == ConsentEvent.Action.GRANTED and subscription.subscriber.confirmed_at is None:
                expected.add(Subscription.State.PENDING)  # resubscribe_all restores an unconfirmed one to pending
            if subscription.state not in expected:
                found.append(subscription.pk)
        batch.clear()

    for subscription in subscriptions.iterator(chunk_size=2000):
        batch.append(subscription)
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()
    return len(found), found[:5]


def erased_addresses(addresses: list[str]) -> set[str]:
    """Of these addresses, those of an erased person (on the suppression list for an erasure, as keyed hashes) that
    no live subscriber uses again (privacy_audit's leftover scan asks)."""
    hashes = {email_hash(address): address for address in addresses}
    erased = {
        hashes[h]
        for h in Suppression.objects.filter(reason=SuppressionReason.ERASURE, email_hash__in=list(hashes)).values_list(
            "email_hash", flat=True
        )
    }
    live = set(Subscriber.objects.filter(email__in=erased).values_list("email", flat=True))
    return erased - live
