"""Shop writes that carry a rule, one module per feature; callers import them from here (`from shop import services`).

catalog (publishing), checkout (totals, place_order, the checkout page's submission), outbox (order emails),
shipping, support (tickets and replies), contests. Tests that replace a function patch it in the module that calls it
(e.g. `shop.services.outbox.enqueue_order_email`, `shop.services.checkout.record_disclosure`).
"""

from .catalog import publish_brand, publish_style
from .checkout import (
    CART_EMPTY,
    PAGE_EXPIRED,
    PRICES_CHANGED,
    CartEmpty,
    CheckoutError,
    CheckoutResult,
    CheckoutStale,
    OrderTotals,
    PaymentDeclined,
    address_snapshot,
    order_totals,
    place_order,
    shipping_cost,
    submit_checkout,
)
from .contests import AlreadyEntered, ContestError, draw_winners, enter_contest, notify_winner
from .outbox import DeliveryResult, deliver_order_email, enqueue_order_email, unsent_order_email_ids
from .shipping import ship_order
from .support import deliver_support_reply, open_ticket, reply_to_ticket

__all__ = [
    "CART_EMPTY",
    "PAGE_EXPIRED",
    "PRICES_CHANGED",
    "AlreadyEntered",
    "CartEmpty",
    "CheckoutError",
    "CheckoutResult",
    "CheckoutStale",
    "ContestError",
    "DeliveryResult",
    "OrderTotals",
    "PaymentDeclined",
    "address_snapshot",
    "deliver_order_email",
    "deliver_support_reply",
    "draw_winners",
    "enqueue_order_email",
    "enter_contest",
    "notify_winner",
    "open_ticket",
    "order_totals",
    "place_order",
    "publish_brand",
    "publish_style",
    "reply_to_ticket",
    "ship_order",
    "shipping_cost",
    "submit_checkout",
    "unsent_order_email_ids",
]
