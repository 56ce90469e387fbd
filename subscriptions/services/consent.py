"""What every preference write shares: the subscriber's row lock and its ConsentEvent, written in the same
transaction as the change (exactly one event per change)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from privacy.models import ConsentEvent
from privacy.services import record_consent

from ..models import Subscriber, Subscription, Topic

if TYPE_CHECKING:
    from django.http import HttpRequest

ALL_MARKETING = "marketing:all"
OFF = "off"
Method = ConsentEvent.Method
Action = ConsentEvent.Action


def topic_purpose(topic: Topic) -> str:
    return f"topic:{topic.slug}"


def record_subscriber_event(
    subscriber: Subscriber,
    *,
    purpose: str,
    action: str,
    method: str,
    value: str = "",
    double_opt_in: bool = False,
    request: HttpRequest | None = None,
) -> None:
    record_consent(
        subject=subscriber.ledger_subject,
        purpose=purpose,
        action=action,
        method=method,
        value=value,
        user=subscriber.user,
        double_opt_in=double_opt_in,
        request=request,
    )


def lock_subscriber(subscriber: Subscriber) -> tuple[Subscriber, dict[int, Subscription]]:
    """The subscriber's row lock (every preference write but the one-click takes it first: see unsubscribe_topic),
    the subscriber re-read under it, and its subscriptions locked with it, by topic id."""
    locked = Subscriber.objects.select_for_update(of=("self",)).select_related("user").get(pk=subscriber.pk)
    rows = Subscription.objects.select_for_update(of=("self",)).select_related("topic").filter(subscriber=locked)
    return locked, {s.topic_id: s for s in rows}
