"""Reads that carry a rule: what the public catalog shows."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, TextField
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from .models import Brand, Category, Order, OrderLine, Product, ProductDescription, ProductStyle, SupportTicket
from .money import format_money


def published_styles() -> QuerySet[ProductStyle]:
    return ProductStyle.objects.filter(is_published=True).order_by("name")


def catalog_products(*, category: Category | None = None, brand: Brand | None = None) -> QuerySet[Product]:
    """Products the public may see: published, and only their published styles (prefetched, one query)."""
    queryset = (
        Product.objects.filter(is_published=True)
        .select_related("brand", "category")
        .prefetch_related(Prefetch("styles", queryset=published_styles(), to_attr="published_styles"))
        .order_by("name", "pk")
    )
    if category is not None:
        queryset = queryset.filter(category=category)
    if brand is not None:
        queryset = queryset.filter(brand=brand)
    return queryset


def with_description_in(products: QuerySet[Product], language: str | None) -> QuerySet[Product]:
    """Each product with `localized_description`: its description in `language` when staff wrote one, else the
    catalogue's own (read in the same query)."""
    written = ProductDescription.objects.filter(product=OuterRef("pk"), language=language or "")
    return products.annotate(
        localized_description=Coalesce(
            Subquery(written.values("description")[:1]), "description", output_field=TextField()
        )
    )


def home_products(*, featured: int = 4, new: int = 8) -> dict[str, list[Product]]:
    """The home page's shelves: products staff marked as featured, then the newest others (no product twice)."""
    featured_products = list(catalog_products().filter(is_featured=True).order_by("-created_at", "-pk")[:featured])
    newest = list(
        catalog_products().exclude(pk__in=[p.pk for p in featured_products]).order_by("-created_at", "-pk")[:new]
    )
    return {"featured": featured_products, "new": newest}


def orders_data_section(user) -> list[dict]:
    """What the shop holds about a shopper's orders, for the privacy dashboard ("what we hold about you").
    Payment details are shown as the shop holds them: card brand and last four digits only."""
    return [
        {
            _("Order"): order.number,
            _("Placed"): order.placed_at,
            _("Total"): format_money(order.total, order.currency),
            _("Shipping address"): ", ".join(order.shipping_lines),
            _("Billing address"): ", ".join(order.billing_lines),
            _("Paid with"): _("%(brand)s ending %(last4)s") % {"brand": order.card_brand, "last4": order.card_last4},
        }
        for order in Order.objects.filter(user=user).order_by("-placed_at")
    ]


def order_reference_words(ids: list[str]) -> dict[str, str]:
    """Disclosure references "order:<pk>" in words, for the privacy dashboard: {"42": "Order SPC-261129-A246D5"}."""
    pks = [int(ident) for ident in ids if ident.isdigit()]
    orders = Order.objects.filter(pk__in=pks).values_list("pk", "number")
    return {str(pk): _("Order %(number)s") % {"number": number} for pk, number in orders}


def support_data_section(user) -> list[dict]:
    """The shopper's customer-service messages, for the privacy dashboard."""
    return [
        {_("Sent"): t.created_at, _("Subject"): t.subject, _("Message"): t.message}
        for t in SupportTicket.objects.filter(user=user).order_by("-created_at")
    ]


def purchase_categories(user_ids: list[int]) -> dict[int, str]:
    """For the ad-partner feed: the coarse categories each person bought in ("Shirts;Shoes"), nothing finer."""
    from .models import OrderLine

    pairs = (
        OrderLine.objects.filter(order__user_id__in=user_ids, product__isnull=False)
        .values_list("order__user_id", "product__category__name")
        .distinct()
    )
    categories: dict[int, set[str]] = {}
    for user_id, name in pairs:
        categories.setdefault(user_id, set()).add(name)
    return {user_id: ";".join(sorted(names)) for user_id, names in categories.items()}


def has_bought(*, email: str, product: Product) -> bool:
    """True when a shop account with this email has an order containing the product."""
    return OrderLine.objects.filter(product=product, order__user__email__iexact=email.strip()).exists()


def support_reply_recipient(ticket: SupportTicket) -> str | None:
    """Where a staff reply to `ticket` may go: the verified primary address of the account that opened it, or, for a
    guest's ticket, the address it came from. Never an address typed by a signed-in shopper, nor anything staff
    enter: None (send nothing) when the account is closed or has no verified address."""
    if ticket.user_id is None:
        return ticket.email
    if not ticket.user.is_active:
        return None
    return (
        EmailAddress.objects.filter(user_id=ticket.user_id, verified=True, primary=True)
        .values_list("email", flat=True)
        .first()
    )
