"""The shop's models, one module per feature; everything is imported from here (`from shop.models import ...`)."""

from .catalog import Brand, Category, Product, ProductDescription, ProductStyle
from .contests import Contest, ContestEntry
from .orders import Carrier, Order, OrderEmail, OrderLine, Shipment, default_currency
from .support import SupportReply, SupportTicket

__all__ = [
    "Brand",
    "Carrier",
    "Category",
    "Contest",
    "ContestEntry",
    "Order",
    "OrderEmail",
    "OrderLine",
    "Product",
    "ProductDescription",
    "ProductStyle",
    "Shipment",
    "SupportReply",
    "SupportTicket",
    "default_currency",
]
