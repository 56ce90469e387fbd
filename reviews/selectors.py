"""Reads that carry a rule: what the public sees, and whether a reviewer bought what they review."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, FloatField, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.selectors import has_confirmed_address, preferred_address
from shop import selectors as shop_selectors
from shop.models import Product

from .models import Review, ReviewStatus


class ReviewSort:
    NEWEST = "newest"
    RATING = "rating"
    CHOICES = [(NEWEST, _("Newest first")), (RATING, _("Highest rated first"))]
    ORDERINGS = {NEWEST: ["-published_at", "-pk"], RATING: ["-rating", "-published_at", "-pk"]}

    @classmethod
    def clean(cls, value: str | None) -> str:
        return value if value in cls.ORDERINGS else cls.NEWEST


@dataclass(frozen=True)
class RatingSummary:
    average: float | None
    count: int


# What a public page may know about a review: never the email.
PUBLIC_FIELDS = [
    "id",
    "rating",
    "title",
    "body",
    "display_name",
    "city",
    "country",
    "verified_purchase",
    "published_at",
]


def published_reviews(*, product: Product, sort: str = ReviewSort.NEWEST) -> QuerySet[Review]:
    """The product's published reviews in the chosen order, loading only the public fields."""
    return (
        Review.objects.filter(product=product, status=ReviewStatus.PUBLISHED)
        .only(*PUBLIC_FIELDS)
        .order_by(*ReviewSort.ORDERINGS[ReviewSort.clean(sort)])
    )


def rating_summary(*, product: Product) -> RatingSummary:
    """Average rating and number of the product's published reviews, in one query."""
    result = Review.objects.filter(product=product, status=ReviewStatus.PUBLISHED).aggregate(
        average=Avg("rating"), count=Count("pk")
    )
    average = round(result["average"], 1) if result["average"] is not None else None
    return RatingSummary(average=average, count=result["count"])


def annotate_rating_summary(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Add `review_average` (None without reviews) and `review_count` over published reviews to each product.

    Subqueries rather than a join, so other annotations on the same queryset are not multiplied.
    """
    published = Review.objects.filter(product=OuterRef("pk"), status=ReviewStatus.PUBLISHED).order_by()
    average = published.values("product").annotate(value=Avg("rating")).values("value")
    count = published.values("product").annotate(value=Count("pk")).values("value")
    return queryset.annotate(
        review_average=Subquery(average, output_field=FloatField()),
        review_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
    )


def has_bought(*, email: str, product: Product) -> bool:
    """True when a shop account with this email has an order containing the product (a "verified purchase").
    Only ever asked about an address its reviewer has proven (services._confirm)."""
    return shop_selectors.has_bought(email=email, product=product)


def owns_confirmed_address(*, user, email: str) -> bool:
    """A logged-in shopper has proven `email` when it is one of their account's confirmed addresses."""
    return has_confirmed_address(user, email)


def review_form_initial(*, user) -> dict[str, str]:
    """Prefill for a logged-in shopper: their name, email, and the city and country of their default address."""
    if not user.is_authenticated:
        return {}
    address = preferred_address(user)
    initial = {"display_name": user.get_full_name(), "email": user.email}
    if address is not None:
        initial.update(city=address.city, country=address.country.code)
    elif user.country:
        initial["country"] = user.country.code
    return initial
