"""Reads that carry a rule: what the public catalog shows."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Brand, Category, Product, ProductStyle


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
