"""The order email outbox: a row written with the order or shipment, sent once after commit, re-sent if left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import emails
from ..app_settings import app_settings
from ..models import OrderEmail


def enqueue_order_email(*, outbox_id: int) -> None:
    """After commit, hand the outbox row to the worker. If the broker is down the order still stands:
    the beat task re-sends rows left unsent."""
    from ..tasks import send_order_email

    transaction.on_commit(lambda: send_order_email.delay(outbox_id), robust=True)


@dataclass(frozen=True)
class DeliveryResult:
    sent: bool
    reason: str = ""


def deliver_order_email(*, outbox_id: int) -> DeliveryResult:
    """Send one outbox row if it is still unsent. The row is locked while sending, so two workers (or a retry and
    the beat re-send) never send the same confirmation twice. A failed send counts an attempt and re-raises."""
    try:
        with transaction.atomic():
            row = (
                OrderEmail.objects.select_for_update(of=("self",))
                .select_related("order", "order__user", "shipment")
                .filter(pk=outbox_id)
                .first()
            )
            if row is None:
                return DeliveryResult(sent=False, reason="missing")
            if row.sent_at is not None:
                return DeliveryResult(sent=False, reason="already sent")
            if row.kind == OrderEmail.Kind.CONFIRMATION:
                emails.send_order_confirmation(row.order)
            else:
                emails.send_shipping_notice(row.order, row.shipment)
            row.sent_at = timezone.now()
            row.attempts += 1
            row.last_error = ""
            row.save(update_fields=["sent_at", "attempts", "last_error"])
    except Exception as error:
        OrderEmail.objects.filter(pk=outbox_id, sent_at__isnull=True).update(
            attempts=F("attempts") + 1, last_error=f"{type(error).__name__}"[:300]
        )
        raise
    return DeliveryResult(sent=True)


def unsent_order_email_ids(*, now=None) -> list[int]:
    """Outbox rows still unsent after the re-send delay (the broker was down or a worker died)."""
    cutoff = (now or timezone.now()) - timedelta(minutes=app_settings.RESEND_AFTER_MINUTES)
    return list(
        OrderEmail.objects.filter(sent_at__isnull=True, created_at__lte=cutoff).values_list("pk", flat=True)[:500]
    )
