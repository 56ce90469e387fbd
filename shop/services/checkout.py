"""Placing an order: the totals the shopper sees and pays, the checkout page's checks and place_order."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts import services as account_services
from privacy.models import Disclosure
from privacy.services import record_disclosure

from ..app_settings import app_settings
from ..cart import CartLine
from ..models import Carrier, Order, OrderEmail, OrderLine
from ..payments import PaymentError, get_processor
from . import outbox

if TYPE_CHECKING:
    from accounts.models import Address, User

CART_EMPTY = _("Your cart is empty.")
PAGE_EXPIRED = _("This checkout page was changed or has expired. Please review your order and place it again.")
PRICES_CHANGED = _("Prices in your cart changed since you opened this page. Please check them.")


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


def order_language(language: str | None) -> str:
    """The language an order's emails are written in: one of settings.LANGUAGES, else "" (the shop's default)."""
    return language if language in dict(settings.LANGUAGES) else ""


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
    language: str = "",
) -> Order:
    """Place an order in one transaction: the order, its lines, the payment authorisation and its Disclosure, and
    the confirmation outbox row; the confirmation task is enqueued after commit.

    The same checkout key places at most one order (a double-clicked button returns the first order). Prices come
    from the cart lines, which were read from the database; if the total differs from the one the shopper saw,
    nothing is written. A declined payment writes nothing either. `language` is the checkout page's language (the
    server's, never a form field): the order's emails are written in it.
    """
    existing = Order.objects.filter(user=user, checkout_key=checkout_key).first()
    if existing is not None:
        return existing
    if not lines:
        raise CartEmpty(CART_EMPTY)
    if shipping_address.user_id != user.pk or billing_address.user_id != user.pk:
        raise CheckoutError(_("Please choose addresses from your own address book."))
    try:
        carrier = Carrier(carrier).value
    except ValueError:
        raise CheckoutError(_("Please choose DHL or UPS.")) from None
    subtotal = sum((line.line_total for line in lines), Decimal("0.00"))
    cost = shipping_cost(carrier)
    total = subtotal + cost
    if total != expected_total:
        raise CheckoutError(_("Prices or shipping changed since you opened this page. Please check the new total."))
    try:
        with transaction.atomic():
            # The account row is locked as erase_person locks it: an erasure and an order for the same
            # account run one after the other, never interleaved, and a closed account orders nothing.
            account = get_user_model().objects.select_for_update().get(pk=user.pk)
            if not account.is_active:
                raise CheckoutError(_("This account is closed."))
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
                language=order_language(language),
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
                purpose=gettext_noop("payment authorisation"),  # stored in English; pages translate it
                data_categories=[gettext_noop("payment token"), gettext_noop("amount")],
                user=user,
                reference=f"order:{order.pk}",
            )
            email = OrderEmail.objects.create(order=order, kind=OrderEmail.Kind.CONFIRMATION)
            outbox.enqueue_order_email(outbox_id=email.pk)
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
    language: str = "",
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
            language=language,
        )
    except CheckoutError as error:
        error.saved_address = shipping_address if new_address is not None else None
        raise
    return CheckoutResult(order=order, placed=True)
