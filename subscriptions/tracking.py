"""What the ESP tells us after sending (anymail tracking webhooks), and the suppression list it feeds.

- hard bounce      -> the subscriber is suppressed (reason bounce), a Suppression row, a ConsentEvent;
- soft bounce      -> counted; at SUBSCRIPTIONS_SOFT_BOUNCE_LIMIT the address is suppressed (reason soft_bounces);
- complaint        -> suppressed (reason complaint);
- ESP unsubscribe  -> unsubscribed from all marketing (method ESP webhook) and a Suppression row;
- delivered        -> resets the soft-bounce count.
Transactional mail ignores all of this: it never consults the suppression state.
"""

from __future__ import annotations

from anymail.signals import AnymailTrackingEvent, EventType
from django.db import transaction
from django.db.models import F

from privacy.models import ConsentEvent

from .addresses import normalise_email
from .app_settings import app_settings
from .models import Subscriber, SuppressionReason
from .services import add_suppression, suppress_subscriber, unsubscribe_all

HARD_REASONS = {None, "bounced", "invalid", "unsubscribed", "spam", "blocked", "other"}


@transaction.atomic
def handle_tracking_event(event: AnymailTrackingEvent) -> str:
    """Apply one normalised tracking event; return what was done (for logs and tests). Idempotent."""
    if not event.recipient:
        return "ignored"
    subscriber = Subscriber.objects.filter(email=normalise_email(event.recipient)).first()
    kind = event.event_type
    if kind == EventType.BOUNCED and event.reject_reason not in HARD_REASONS:
        kind = EventType.DEFERRED  # a temporary failure reported as a bounce
    if kind == EventType.BOUNCED:
        add_suppression(email=event.recipient, reason=SuppressionReason.BOUNCE)
        if subscriber is not None:
            suppress_subscriber(subscriber=subscriber, reason=SuppressionReason.BOUNCE)
        return "suppressed: hard bounce"
    if kind == EventType.COMPLAINED:
        add_suppression(email=event.recipient, reason=SuppressionReason.COMPLAINT)
        if subscriber is not None:
            suppress_subscriber(subscriber=subscriber, reason=SuppressionReason.COMPLAINT)
        return "suppressed: complaint"
    if kind == EventType.UNSUBSCRIBED:
        add_suppression(email=event.recipient, reason=SuppressionReason.ESP_UNSUBSCRIBE)
        if subscriber is not None:
            unsubscribe_all(subscriber=subscriber, method=ConsentEvent.Method.ESP_WEBHOOK)
        return "unsubscribed from all"
    if subscriber is None:
        return "ignored"
    if kind == EventType.DEFERRED:
        Subscriber.objects.filter(pk=subscriber.pk).update(soft_bounce_count=F("soft_bounce_count") + 1)
        subscriber.refresh_from_db(fields=["soft_bounce_count"])
        if subscriber.soft_bounce_count >= app_settings.SOFT_BOUNCE_LIMIT:
            add_suppression(email=event.recipient, reason=SuppressionReason.SOFT_BOUNCES)
            suppress_subscriber(subscriber=subscriber, reason=SuppressionReason.SOFT_BOUNCES)
            return "suppressed: repeated soft bounces"
        return "soft bounce counted"
    if kind == EventType.DELIVERED and subscriber.soft_bounce_count:
        Subscriber.objects.filter(pk=subscriber.pk).update(soft_bounce_count=0)
        return "soft bounces reset"
    return "ignored"
