"""Shop views, one module per feature; shop/urls.py imports them from here."""

from .cart import cart_add, cart_detail, cart_update
from .catalog import home, product_detail, product_list
from .checkout import checkout, checkout_address
from .contests import contest_detail, contest_list, contest_winners
from .orders import order_detail, order_list
from .support import contact, contact_thanks

__all__ = [
    "cart_add",
    "cart_detail",
    "cart_update",
    "checkout",
    "checkout_address",
    "contact",
    "contact_thanks",
    "contest_detail",
    "contest_list",
    "contest_winners",
    "home",
    "order_detail",
    "order_list",
    "product_detail",
    "product_list",
]
