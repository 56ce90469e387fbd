"""The cart, kept in the session (the shop's necessary cookie). It holds product and style ids and quantities only:
prices are always read from the database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .app_settings import app_settings
from .models import Product, ProductStyle

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase


class CartError(ValueError):
    """A cart change that cannot be applied; the message is safe to show."""


@dataclass(frozen=True)
class CartLine:
    key: str
    product: Product
    style: ProductStyle | None
    quantity: int

    @property
    def unit_price(self) -> Decimal:
        return self.product.price

    @property
    def line_total(self) -> Decimal:
        return self.product.price * self.quantity


def parse_quantity(raw: object) -> int:
    try:
        quantity = int(str(raw).strip())
    except (TypeError, ValueError):
        raise CartError(_("Please enter a whole number for the quantity.")) from None
    if quantity < 1:
        raise CartError(_("The quantity must be at least 1."))
    if quantity > app_settings.MAX_QUANTITY:
        raise CartError(_("You can order at most %(max)s of one item.") % {"max": app_settings.MAX_QUANTITY})
    return quantity


class Cart:
    CHECKOUT_KEY = "shop_checkout_key"  # session key of the cart's checkout key (see `checkout_key`)

    def __init__(self, session: SessionBase) -> None:
        self.session = session
        raw = session.get(app_settings.CART_SESSION_KEY)
        self.items: dict[str, int] = raw if isinstance(raw, dict) else {}

    @staticmethod
    def make_key(product_id: int, style_id: int | None) -> str:
        return f"{product_id}:{style_id or 0}"

    def _save(self) -> None:
        self.session[app_settings.CART_SESSION_KEY] = self.items
        self.session.modified = True

    def add(self, *, product_id: object, style_id: object = None, quantity: object = 1) -> CartLine:
        product, style = self._resolve(product_id, style_id)
        key = self.make_key(product.pk, style.pk if style else None)
        total = self.items.get(key, 0) + parse_quantity(quantity)
        if total > app_settings.MAX_QUANTITY:
            raise CartError(_("You can order at most %(max)s of one item.") % {"max": app_settings.MAX_QUANTITY})
        self.items[key] = total
        self._save()
        return CartLine(key=key, product=product, style=style, quantity=total)

    def set_quantity(self, *, key: str, quantity: object) -> None:
        if key not in self.items:
            raise CartError(_("That item is no longer in your cart."))
        self.items[key] = parse_quantity(quantity)
        self._save()

    def remove(self, *, key: str) -> None:
        if self.items.pop(key, None) is None:
            raise CartError(_("That item is no longer in your cart."))
        self._save()

    def clear(self) -> None:
        """Empty the cart after an order; the next cart gets a new checkout key."""
        self.items = {}
        self.session.pop(self.CHECKOUT_KEY, None)
        self._save()

    @property
    def checkout_key(self) -> uuid.UUID:
        """One key per cart, not per checkout page: every tab's checkout form carries the same one, and an order is
        unique per (shopper, key), so one cart places at most one order however many tabs submit at once."""
        raw = self.session.get(self.CHECKOUT_KEY)
        try:
            return uuid.UUID(str(raw))
        except ValueError:
            key = uuid.uuid4()
            self.session[self.CHECKOUT_KEY] = str(key)
            return key

    def __len__(self) -> int:
        return sum(self.items.values())

    def lines(self) -> list[CartLine]:
        """The cart's lines with current products and prices (two queries). Items whose product or style was
        unpublished or deleted are dropped."""
        parsed: list[tuple[str, int, int | None, int]] = []
        for key, quantity in self.items.items():
            try:
                product_id, style_id = (int(part) for part in key.split(":"))
            except ValueError:
                continue
            if isinstance(quantity, int) and 1 <= quantity <= app_settings.MAX_QUANTITY:
                parsed.append((key, product_id, style_id or None, quantity))
        products = Product.objects.filter(pk__in={p for _, p, _, _ in parsed}, is_published=True).select_related(
            "brand"
        )
        products = {p.pk: p for p in products}
        style_ids = {s for _, _, s, _ in parsed if s}
        styles = (
            {s.pk: s for s in ProductStyle.objects.filter(pk__in=style_ids, is_published=True)} if style_ids else {}
        )
        result = []
        for key, product_id, style_id, quantity in parsed:
            product = products.get(product_id)
            style = styles.get(style_id) if style_id else None
            if product is None or (style_id and (style is None or style.product_id != product_id)):
                continue
            result.append(CartLine(key=key, product=product, style=style, quantity=quantity))
        return result

    @staticmethod
    def subtotal(lines: list[CartLine]) -> Decimal:
        return sum((line.line_total for line in lines), Decimal("0.00"))

    def _resolve(self, product_id: object, style_id: object) -> tuple[Product, ProductStyle | None]:
        try:
            pid = int(str(product_id))
        except (TypeError, ValueError):
            raise CartError(_("That product does not exist.")) from None
        product = Product.objects.filter(pk=pid, is_published=True).first()
        if product is None:
            raise CartError(_("That product does not exist."))
        styles = list(product.styles.filter(is_published=True))
        if style_id in (None, "", "0", 0):
            if styles:
                raise CartError(_("Please choose a style."))
            return product, None
        try:
            sid = int(str(style_id))
        except (TypeError, ValueError):
            raise CartError(_("That style does not exist.")) from None
        style = next((s for s in styles if s.pk == sid), None)
        if style is None:
            raise CartError(_("That style does not exist."))
        return product, style
