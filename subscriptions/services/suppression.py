"""The suppression list (keyed hashes of addresses that bounced, complained or were erased) and suppressing a
subscriber: nothing commercial goes to a suppressed address."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from ..addresses import email_hash
from ..models import Subscriber, Suppression, SuppressionReason
from .consent import ALL_MARKETING, Action, Method, lock_subscriber, record_subscriber_event

if TYPE_CHECKING:
    from django.http import HttpRequest


def add_suppression(*, email: str, reason: str) -> Suppression:
    suppression, _ = Suppression.objects.get_or_create(email_hash=email_hash(email), defaults={"reason": reason})
    return suppression


def suppression_reason(email: str) -> str | None:
    """Why the address is on the suppression list (a SuppressionReason value), or None."""
    return Suppression.objects.filter(email_hash=email_hash(email)).values_list("reason", flat=True).first()


def apply_suppression_list(subscriber: Subscriber) -> None:
    """An address on the suppression list (a bounce, a complaint, an erased account) typed in again is
    suppressed at once: the next mailing skips it, whatever is confirmed later."""
    if subscriber.suppressed_at is not None:
        return
    reason = suppression_reason(subscriber.email)
    if reason is not None:
        suppress_subscriber(subscriber=subscriber, reason=reason, method=Method.SYSTEM)


@transaction.atomic
def suppress_subscriber(
    *, subscriber: Subscriber, reason: str, method: str = Method.ESP_WEBHOOK, request: HttpRequest | None = None
) -> bool:
    """A hard bounce or spam complaint: nothing commercial goes to this address any more."""
    reason = SuppressionReason(reason)
    subscriber, _ = lock_subscriber(subscriber)
    if subscriber.suppressed_reason == reason:
        return False
    subscriber.suppressed_reason = reason
    subscriber.suppressed_at = timezone.now()
    subscriber.save(update_fields=["suppressed_reason", "suppressed_at"])
    record_subscriber_event(
        subscriber, purpose=ALL_MARKETING, action=Action.WITHDRAWN, method=method, value=reason, request=request
    )
    return True
