"""The preference center's writes: topics, frequencies, pause, unsubscribe and resubscribe."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from privacy.services import record_consent_on_update

from ..models import Frequency, Subscriber, Subscription, Topic
from .consent import (
    ALL_MARKETING,
    OFF,
    Action,
    lock_subscriber,
    record_subscriber_event,
    topic_purpose,
)

if TYPE_CHECKING:
    from django.http import HttpRequest


@transaction.atomic
def update_topics(
    *, subscriber: Subscriber, choices: dict[Topic, str], method: str, request: HttpRequest | None = None
) -> int:
    """Save the preference center's topic choices: a frequency, "paused" or OFF per topic.

    Whoever reaches the preference center has proven the address (logged in, or holds an emailed link), so choices
    apply at once. Returns how many topics changed; each change writes one event.
    """
    subscriber, subscriptions = lock_subscriber(subscriber)
    changed = 0
    granted = False
    for topic, value in choices.items():
        subscription = subscriptions.get(topic.pk)
        if value == OFF:
            if subscription is not None and subscription.state != Subscription.State.UNSUBSCRIBED:
                _set_unsubscribed(subscription)
                record_subscriber_event(
                    subscriber, purpose=topic_purpose(topic), action=Action.WITHDRAWN, method=method, request=request
                )
                changed += 1
            continue
        if value not in (*topic.allowed_frequencies, Frequency.PAUSED):
            raise ValueError(f"{value!r} is not offered for {topic.slug}")
        if subscription is None:
            subscription = Subscription(subscriber=subscriber, topic=topic, frequency=value)
            action = Action.GRANTED
        elif subscription.state != Subscription.State.ACTIVE:
            action = Action.GRANTED
        elif subscription.frequency != value:
            action = Action.CHANGED
        else:
            continue
        subscription.frequency = value
        subscription.state = Subscription.State.ACTIVE
        subscription.unsubscribed_at = None
        subscription.save()
        record_subscriber_event(
            subscriber, purpose=topic_purpose(topic), action=action, method=method, value=value, request=request
        )
        granted = granted or action == Action.GRANTED
        changed += 1
    fields = []
    if granted and subscriber.unsubscribed_all_at is not None:
        subscriber.unsubscribed_all_at = None
        fields.append("unsubscribed_all_at")
    if changed and subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        fields.append("confirmed_at")
    if fields:
        subscriber.save(update_fields=fields)
    return changed


def _set_unsubscribed(subscription: Subscription, when: datetime.datetime | None = None) -> None:
    subscription.state = Subscription.State.UNSUBSCRIBED
    subscription.unsubscribed_at = when or timezone.now()
    subscription.save(update_fields=["state", "unsubscribed_at", "updated_at"])


def unsubscribe_topic(*, subscriber: Subscriber, topic: Topic, method: str, request: HttpRequest | None = None) -> bool:
    """Stop one topic. Idempotent: repeating it (one-click retries) changes nothing and writes nothing.

    RFC 8058's one-click POST runs this, so it is lean: one conditional UPDATE and its ConsentEvent in a single
    statement (privacy.services.record_consent_on_update), no read of the subscriptions first and no subscriber
    lock: the UPDATE's own row lock orders it against every other write to that subscription (those take it too,
    under the subscriber's lock), and the UPDATE's row count says whether anything changed.
    """
    now = timezone.now()
    return record_consent_on_update(
        Subscription.objects.filter(subscriber=subscriber, topic=topic).exclude(state=Subscription.State.UNSUBSCRIBED),
        {"state": Subscription.State.UNSUBSCRIBED, "unsubscribed_at": now, "updated_at": now},
        subject=subscriber.ledger_subject,
        purpose=topic_purpose(topic),
        action=Action.WITHDRAWN,
        method=method,
        user_id=subscriber.user_id,
        request=request,
    )


@transaction.atomic
def resubscribe_topic(*, subscriber: Subscriber, topic: Topic, method: str, request: HttpRequest | None = None) -> bool:
    """Undo an unsubscribe from an emailed link: the topic comes back at its previous frequency."""
    subscriber, subscriptions = lock_subscriber(subscriber)
    subscription = subscriptions.get(topic.pk)
    if subscription is not None and subscription.state == Subscription.State.ACTIVE:
        return False
    if subscription is None:
        subscription = Subscription(subscriber=subscriber, topic=topic, frequency=topic.default_frequency)
    subscription.state = Subscription.State.ACTIVE
    subscription.unsubscribed_at = None
    subscription.save()
    fields = ["unsubscribed_all_at"]
    subscriber.unsubscribed_all_at = None
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        fields.append("confirmed_at")
    subscriber.save(update_fields=fields)
    record_subscriber_event(
        subscriber,
        purpose=topic_purpose(topic),
        action=Action.GRANTED,
        method=method,
        value=subscription.frequency,
        request=request,
    )
    return True


@transaction.atomic
def change_frequency(
    *,
    subscriber: Subscriber,
    topic: Topic,
    frequency: str,
    method: str,
    paused_until: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """ "Fewer emails instead": a lower frequency, or a pause until a date, for one active topic."""
    subscriber, subscriptions = lock_subscriber(subscriber)
    subscription = subscriptions.get(topic.pk)
    if subscription is None or subscription.state != Subscription.State.ACTIVE:
        return False
    if paused_until is not None:
        if subscription.paused_until == paused_until:
            return False
        subscription.paused_until = paused_until
        value = f"paused_until:{paused_until.isoformat()}"
    else:
        if frequency not in topic.allowed_frequencies:
            raise ValueError(f"{frequency!r} is not offered for {topic.slug}")
        if subscription.frequency == frequency and subscription.paused_until is None:
            return False
        subscription.frequency = frequency
        subscription.paused_until = None
        value = frequency
    subscription.save(update_fields=["frequency", "paused_until", "updated_at"])
    record_subscriber_event(
        subscriber, purpose=topic_purpose(topic), action=Action.CHANGED, method=method, value=value, request=request
    )
    return True


@transaction.atomic
def pause_all(
    *, subscriber: Subscriber, until: datetime.date | None, method: str, request: HttpRequest | None = None
) -> bool:
    """Pause every topic until a date (None resumes them now). One event for marketing:all."""
    subscriber, subscriptions = lock_subscriber(subscriber)
    targets = [s for s in subscriptions.values() if s.state != Subscription.State.UNSUBSCRIBED]
    if not targets or all(s.paused_until == until for s in targets):
        return False
    for subscription in targets:
        subscription.paused_until = until
        subscription.save(update_fields=["paused_until", "updated_at"])
    record_subscriber_event(
        subscriber,
        purpose=ALL_MARKETING,
        action=Action.CHANGED,
        method=method,
        value=f"paused_until:{until.isoformat()}" if until else "resumed",
        request=request,
    )
    return True


@transaction.atomic
def unsubscribe_all(*, subscriber: Subscriber, method: str, request: HttpRequest | None = None) -> bool:
    """Stop all marketing email. Topic rows are kept (marked unsubscribed at this moment) so it can be undone."""
    subscriber, subscriptions = lock_subscriber(subscriber)
    if subscriber.unsubscribed_all_at is not None:
        return False
    now = timezone.now()
    for subscription in subscriptions.values():
        if subscription.state != Subscription.State.UNSUBSCRIBED:
            _set_unsubscribed(subscription, now)
    subscriber.unsubscribed_all_at = now
    subscriber.save(update_fields=["unsubscribed_all_at"])
    record_subscriber_event(subscriber, purpose=ALL_MARKETING, action=Action.WITHDRAWN, method=method, request=request)
    return True


@transaction.atomic
def resubscribe_all(*, subscriber: Subscriber, method: str, request: HttpRequest | None = None) -> bool:
    """Undo unsubscribe_all: the topics it stopped come back as they were; topics stopped earlier stay off."""
    subscriber, subscriptions = lock_subscriber(subscriber)
    if subscriber.unsubscribed_all_at is None:
        return False
    restored_state = Subscription.State.ACTIVE if subscriber.confirmed_at else Subscription.State.PENDING
    for subscription in subscriptions.values():
        if subscription.unsubscribed_at == subscriber.unsubscribed_all_at:
            subscription.state = restored_state
            subscription.unsubscribed_at = None
            subscription.save(update_fields=["state", "unsubscribed_at", "updated_at"])
    subscriber.unsubscribed_all_at = None
    subscriber.save(update_fields=["unsubscribed_all_at"])
    record_subscriber_event(subscriber, purpose=ALL_MARKETING, action=Action.GRANTED, method=method, request=request)
    return True
