"""Shop writes that carry a rule: publishing, placing orders, shipping, order email outbox, support, contests."""

from __future__ import annotations

import logging
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import services as account_services
from privacy.models import Disclosure
from privacy.services import record_disclosure
from subscriptions.services import queue_alert

from . import emails, selectors
from .app_settings import app_settings
from .cart import CartLine
from .models import (
    Brand,
    Carrier,
    Contest,
    ContestEntry,
    Order,
    OrderEmail,
    OrderLine,
    ProductStyle,
    Shipment,
    SupportReply,
    SupportTicket,
)
from .payments import PaymentError, get_processor

if TYPE_CHECKING:
    from accounts.models import Address, User

logger = logging.getLogger(__name__)


CART_EMPTY = "Your cart is empty."
PAGE_EXPIRED = "This checkout page was changed or has expired. Please review your order and place it again."
PRICES_CHANGED = "Prices in your cart changed since you opened this page. Please check them."


class CheckoutError(Exception):
    """The order cannot be placed as submitted; no order was written. The message is safe to show.

    `saved_address` is the address the checkout added to the shopper's address book before failing (it stays
    there, a choice on the next try), or None."""

    saved_address: Address | None = None


class PaymentDeclined(CheckoutError):
    """The payment processor refused the card; the message belongs next to the card fields."""


class CartEmpty(CheckoutError):
    """Nothing to order: the shopper goes back to the cart."""


class CheckoutStale(CheckoutError):
    """The page no longer matches the cart (a page from an earlier cart, a forged key, changed prices): the
    shopper gets the page again with the current figures."""


# --- catalog -----------------------------------------------------------------------------------------------


def publish_brand(*, brand: Brand) -> bool:
    """Publish a brand and queue it once for the "New brands and product styles" alert. False if already published."""
    return _publish(
        brand,
        Brand.objects.all(),
        lambda locked: {
            "title": f"New brand: {locked.name}",
            "link": f"{settings.SITE_URL}/shop/?brand={locked.slug}",
            "source": f"brand:{locked.pk}",
        },
    )


def publish_style(*, style: ProductStyle) -> bool:
    """Publish a product style and queue it once for the alerts topic. False if already published."""
    return _publish(
        style,
        ProductStyle.objects.select_related("product"),
        lambda locked: {
            "title": f"New style: {locked.product.name} in {locked.name}",
            "link": f"{settings.SITE_URL}{locked.product.get_absolute_url()}",
            "source": f"style:{locked.pk}",
        },
    )


def _publish(obj, queryset, alert) -> bool:
    """Publish under a row lock (two staff clicking at once publish once) and queue its alert in the same
    transaction, so an alert exists exactly when the thing is published."""
    with transaction.atomic():
        locked = queryset.select_for_update(of=("self",)).get(pk=obj.pk)
        if locked.is_published:
            return False
        locked.is_published = True
        locked.published_at = timezone.now()
        locked.save(update_fields=["is_published", "published_at"])
        queue_alert(**alert(locked))
    obj.is_published, obj.published_at = locked.is_published, locked.published_at
    return True


# --- orders ------------------------------------------------------------------------------------------------


def address_snapshot(address: Address) -> dict:
    return {"full_name": address.full_name, "lines": address.as_lines(), "phone": str(address.phone or "")}


def shipping_cost(carrier: str) -> Decimal:
    return app_settings.SHIPPING_COSTS[Carrier(carrier).value]


@dataclass(frozen=True)
class OrderTotals:
    subtotal: Decimal
    carrier: str
    carrier_label: str
    shipping: Decimal
    total: Decimal


def order_totals(*, lines: list[CartLine], carrier: str) -> OrderTotals:
    """What the shopper pays for these lines with this carrier: the figures the checkout summary shows and
    place_order charges (no tax is added on top of the catalogue prices). An unknown carrier counts as DHL."""
    try:
        chosen = Carrier(carrier)
    except ValueError:
        chosen = Carrier.DHL
    subtotal = sum((line.line_total for line in lines), Decimal("0.00"))
    cost = shipping_cost(chosen)
    return OrderTotals(
        subtotal=subtotal, carrier=chosen.value, carrier_label=chosen.label, shipping=cost, total=subtotal + cost
    )


def _new_order_number() -> str:
    return f"SPC-{timezone.now():%y%m%d}-{secrets.token_hex(3).upper()}"


def place_order(
    *,
    user: User,
    lines: list[CartLine],
    shipping_address: Address,
    billing_address: Address,
    carrier: str,
    payment_token: str,
    expected_total: Decimal,
    checkout_key: uuid.UUID,
) -> Order:
    """Place an order in one transaction: the order, its lines, the payment authorisation and its Disclosure, and
    the confirmation outbox row; the confirmation task is enqueued after commit.

    The same checkout key places at most one order (a double-clicked button returns the first order). Prices come
    from the cart lines, which were read from the database; if the total differs from the one the shopper saw,
    nothing is written. A declined payment writes nothing either.
    """
    existing = Order.objects.filter(user=user, checkout_key=checkout_key).first()
    if existing is not None:
        return existing
    if not lines:
        raise CartEmpty(CART_EMPTY)
    if shipping_address.user_id != user.pk or billing_address.user_id != user.pk:
        raise CheckoutError("Please choose addresses from your own address book.")
    try:
        carrier = Carrier(carrier).value
    except ValueError:
        raise CheckoutError("Please choose DHL or UPS.") from None
    subtotal = sum((line.line_total for line in lines), Decimal("0.00"))
    cost = shipping_cost(carrier)
    total = subtotal + cost
    if total != expected_total:
        raise CheckoutError("Prices or shipping changed since you opened this page. Please check the new total.")
    try:
        with transaction.atomic():
            # The account row is locked as erase_person locks it: an erasure and an order for the same
            # account run one after the other, never interleaved, and a closed account orders nothing.
            account = get_user_model().objects.select_for_update().get(pk=user.pk)
            if not account.is_active:
                raise CheckoutError("This account is closed.")
            order = Order.objects.create(
                number=_new_order_number(),
                user=user,
                email=account.email,
                subtotal=subtotal,
                shipping_cost=cost,
                total=total,
                shipping_address=address_snapshot(shipping_address),
                billing_address=address_snapshot(billing_address),
                carrier=carrier,
                payment_token=payment_token[:64],
                payment_authorization="pending",
                checkout_key=checkout_key,
            )
            OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    product=line.product,
                    style=line.style,
                    product_name=line.product.name,
                    style_name=line.style.name if line.style else "",
                    unit_price=line.unit_price,
                    quantity=line.quantity,
                    line_total=line.line_total,
                )
                for line in lines
            )
            processor = get_processor()
            authorization = processor.authorize(token=payment_token, amount=total, currency=order.currency)
            order.payment_authorization = authorization.id
            order.card_brand = authorization.card_brand
            order.card_last4 = authorization.card_last4
            order.save(update_fields=["payment_authorization", "card_brand", "card_last4"])
            record_disclosure(
                recipient_kind=Disclosure.RecipientKind.PAYMENT_PROCESSOR,
                recipient_name=app_settings.PAYMENT_PROCESSOR_NAME,
                purpose="payment authorisation",
                data_categories=["payment token", "amount"],
                user=user,
                reference=f"order:{order.pk}",
            )
            outbox = OrderEmail.objects.create(order=order, kind=OrderEmail.Kind.CONFIRMATION)
            enqueue_order_email(outbox_id=outbox.pk)
    except PaymentError as error:
        raise PaymentDeclined(str(error)) from None
    except IntegrityError:
        existing = Order.objects.filter(user=user, checkout_key=checkout_key).first()
        if existing is None:
            raise
        return existing
    return order


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    placed: bool  # False when this checkout key had placed the order already (a double-clicked button)


def submit_checkout(
    *,
    user: User,
    lines: list[CartLine],
    cart_key: uuid.UUID,
    checkout_key: uuid.UUID,
    expected_subtotal: Decimal,
    shipping_address: Address | None,
    billing_address: Address | None,
    new_address: Address | None,
    carrier: str,
    payment_token: str,
) -> CheckoutResult:
    """The checkout page's submission, checked in this order: a key that placed an order already returns that
    order; then the cart must not be empty, the page must carry the cart's key and the subtotal the shopper saw.
    Only then is a `new_address` (typed in the checkout by a shopper with an empty address book) saved, as both
    shipping and billing address, and the order placed (place_order). Raises CheckoutError or a subclass."""
    already = Order.objects.filter(user=user, checkout_key=checkout_key).first()
    if already is not None:
        return CheckoutResult(order=already, placed=False)
    if not lines:
        raise CartEmpty(CART_EMPTY)
    if checkout_key != cart_key:
        raise CheckoutStale(PAGE_EXPIRED)
    if expected_subtotal != sum((line.line_total for line in lines), Decimal("0.00")):
        raise CheckoutStale(PRICES_CHANGED)
    if new_address is not None:
        shipping_address = billing_address = account_services.save_address(user=user, address=new_address)
    try:
        order = place_order(
            user=user,
            lines=lines,
            shipping_address=shipping_address,
            billing_address=billing_address,
            carrier=carrier,
            payment_token=payment_token,
            expected_total=order_totals(lines=lines, carrier=carrier).total,
            checkout_key=checkout_key,
        )
    except CheckoutError as error:
        error.saved_address = shipping_address if new_address is not None else None
        raise
    return CheckoutResult(order=order, placed=True)


def enqueue_order_email(*, outbox_id: int) -> None:
    """After commit, hand the outbox row to the worker. If the broker is down the order still stands:
    the beat task re-sends rows left unsent."""
    from .tasks import send_order_email

    transaction.on_commit(lambda: send_order_email.delay(outbox_id), robust=True)


def ship_order(*, order: Order, carrier: str, tracking_number: str, staff: User | None = None) -> Shipment:
    """Record a shipment, the Disclosure of the shopper's delivery data to the carrier, and the shipping email's
    outbox row, in one transaction; the email is enqueued after commit."""
    tracking_number = (tracking_number or "").strip()
    if not tracking_number or len(tracking_number) > 40:
        raise ValueError("Enter a tracking number (at most 40 characters).")
    carrier = Carrier(carrier).value
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        shipment = Shipment.objects.create(
            order=locked, carrier=carrier, tracking_number=tracking_number, created_by=staff
        )
        record_disclosure(
            recipient_kind=Disclosure.RecipientKind.CARRIER,
            recipient_name=Carrier(carrier).label,
            purpose="delivery of the order",
            data_categories=["name", "shipping address", "email", "phone"],
            user=locked.user,
            reference=f"order:{locked.pk}",
        )
        locked.status = Order.Status.SHIPPED
        locked.save(update_fields=["status"])
        outbox = OrderEmail.objects.create(order=locked, shipment=shipment, kind=OrderEmail.Kind.SHIPPING)
        enqueue_order_email(outbox_id=outbox.pk)
    order.status = locked.status
    return shipment


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


# --- customer service --------------------------------------------------------------------------------------


def open_ticket(
    *, name: str, email: str, subject: str, message: str, order_number: str = "", user: User | None = None
) -> SupportTicket:
    """A signed-in shopper's ticket carries the account's address, whatever was typed in the form: replies may tell
    about the account and its orders, so they go to its owner (see selectors.support_reply_recipient)."""
    owner = user if user is not None and user.is_authenticated else None
    return SupportTicket.objects.create(
        user=owner,
        name=name,
        email=owner.email if owner is not None else email,
        subject=subject,
        message=message,
        order_number=order_number,
    )


def reply_to_ticket(*, ticket: SupportTicket, body: str, author: User | None) -> SupportReply:
    """Keep the reply on the ticket and send it as transactional mail after commit."""
    body = (body or "").strip()
    if not body:
        raise ValueError("A reply needs some text.")
    with transaction.atomic():
        reply = SupportReply.objects.create(ticket=ticket, body=body, author=author)
        SupportTicket.objects.filter(pk=ticket.pk).update(status=SupportTicket.Status.ANSWERED)
        from .tasks import send_support_reply

        transaction.on_commit(lambda: send_support_reply.delay(reply.pk), robust=True)
    ticket.status = SupportTicket.Status.ANSWERED
    return reply


def deliver_support_reply(*, reply_id: int) -> bool:
    with transaction.atomic():
        reply = (
            SupportReply.objects.select_for_update(of=("self",)).select_related("ticket").filter(pk=reply_id).first()
        )
        if reply is None or reply.sent_at is not None:
            return False
        recipient = selectors.support_reply_recipient(reply.ticket)
        if recipient is None:
            logger.warning("Support reply %s not sent: the ticket's account has no verified address", reply.pk)
            return False
        emails.send_support_reply(reply, to=recipient)
        reply.sent_at = timezone.now()
        reply.save(update_fields=["sent_at"])
    return True


# --- contests ----------------------------------------------------------------------------------------------


class ContestError(ValueError):
    pass


class AlreadyEntered(ContestError):
    """The address has entered this contest before. Views answer as for a new entry: the page must not tell
    whether an address entered."""


def enter_contest(*, contest: Contest, first_name: str, city: str, email: str, list_publicly: bool) -> ContestEntry:
    """Enter a contest. This subscribes to nothing and records no marketing consent."""
    if not contest.is_open():
        raise ContestError("This contest is not open for entries.")
    try:
        with transaction.atomic():
            return ContestEntry.objects.create(
                contest=contest, first_name=first_name, city=city, email=email, list_publicly=list_publicly
            )
    except IntegrityError:
        raise AlreadyEntered("This email address has already entered this contest.") from None


def draw_winners(*, contest: Contest) -> list[ContestEntry]:
    """Draw the contest's winners at random, once, after it has ended; each winner is emailed after the commit
    (transactional mail: whatever their marketing choices). Nobody else is emailed."""
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.drawn_at is not None:
            raise ContestError("Winners were already drawn for this contest.")
        if locked.ends_at > timezone.now():
            raise ContestError("The contest has not ended yet.")
        entries = list(locked.entries.all())
        winners = random.SystemRandom().sample(entries, min(locked.winners_count, len(entries)))
        ContestEntry.objects.filter(pk__in=[w.pk for w in winners]).update(is_winner=True)
        locked.drawn_at = timezone.now()
        locked.save(update_fields=["drawn_at"])
        from .tasks import send_contest_win

        for winner in winners:  # "we will email you only if you win": each winner, after the draw commits
            transaction.on_commit(lambda entry_id=winner.pk: send_contest_win.delay(entry_id), robust=True)
    contest.drawn_at = locked.drawn_at
    return winners


def notify_winner(*, entry_id: int) -> bool:
    """Send one winner their email, once (the row is locked while sending; a told winner is skipped)."""
    with transaction.atomic():
        entry = (
            ContestEntry.objects.select_for_update(of=("self",))
            .select_related("contest")
            .filter(pk=entry_id, is_winner=True, notified_at__isnull=True)
            .first()
        )
        if entry is None:
            return False
        emails.send_contest_win(entry)
        entry.notified_at = timezone.now()
        entry.save(update_fields=["notified_at"])
    return True
