"""What the shop sends. All of it is transactional: it goes whatever the shopper's marketing choices."""

from __future__ import annotations

from django.db import models

from subscriptions.services import send_transactional

from .models import ContestEntry, Order, Shipment, SupportReply


class ShopEmailKind(models.TextChoices):
    """The shop's transactional message kinds, declared to subscriptions in SUBSCRIPTIONS_MESSAGE_KINDS
    (config/settings/)."""

    ORDER = "order", "Order"
    SHIPPING = "shipping", "Shipping"
    SUPPORT = "support", "Customer service"
    CONTEST = "contest", "Contest result (winners only)"


def send_order_confirmation(order: Order) -> None:
    send_transactional(
        to=order.email,
        template="email/shop/order_confirmation",
        context={"order": order, "lines": list(order.lines.all())},
        kind=ShopEmailKind.ORDER,
        object_id=order.pk,
        language=order.language,
    )


def send_shipping_notice(order: Order, shipment: Shipment) -> None:
    send_transactional(
        to=order.email,
        template="email/shop/shipping_notice",
        context={"order": order, "shipment": shipment, "lines": list(order.lines.all())},
        kind=ShopEmailKind.SHIPPING,
        object_id=order.pk,
        language=order.language,
    )


def send_support_reply(reply: SupportReply, *, to: str) -> None:
    send_transactional(
        to=to,
        template="email/shop/support_reply",
        context={"ticket": reply.ticket, "reply": reply},
        kind=ShopEmailKind.SUPPORT,
        object_id=reply.ticket_id,
        language=reply.ticket.language,
    )


def send_contest_win(entry: ContestEntry) -> None:
    send_transactional(
        to=entry.email,
        template="email/shop/contest_win",
        context={"entry": entry, "contest": entry.contest},
        kind=ShopEmailKind.CONTEST,
        object_id=f"contest-entry:{entry.pk}",
    )
