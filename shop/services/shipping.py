"""Shipping an order: the shipment, the Disclosure to the carrier and the shipping email's outbox row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from privacy.models import Disclosure
from privacy.services import record_disclosure

from ..models import Carrier, Order, OrderEmail, Shipment
from . import outbox

if TYPE_CHECKING:
    from accounts.models import User


def ship_order(*, order: Order, carrier: str, tracking_number: str, staff: User | None = None) -> Shipment:
    """Record a shipment, the Disclosure of the shopper's delivery data to the carrier, and the shipping email's
    outbox row, in one transaction; the email is enqueued after commit."""
    tracking_number = (tracking_number or "").strip()
    if not tracking_number or len(tracking_number) > 40:
        raise ValueError(_("Enter a tracking number (at most 40 characters)."))
    carrier = Carrier(carrier).value
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        shipment = Shipment.objects.create(
            order=locked, carrier=carrier, tracking_number=tracking_number, created_by=staff
        )
        record_disclosure(
            recipient_kind=Disclosure.RecipientKind.CARRIER,
            recipient_name=Carrier(carrier).label,
            purpose=gettext_noop("delivery of the order"),  # stored in English; pages translate it
            data_categories=[
                gettext_noop("name"),
                gettext_noop("shipping address"),
                gettext_noop("email"),
                gettext_noop("phone"),
            ],
            user=locked.user,
            reference=f"order:{locked.pk}",
        )
        locked.status = Order.Status.SHIPPED
        locked.save(update_fields=["status"])
        email = OrderEmail.objects.create(order=locked, shipment=shipment, kind=OrderEmail.Kind.SHIPPING)
        outbox.enqueue_order_email(outbox_id=email.pk)
    order.status = locked.status
    return shipment
