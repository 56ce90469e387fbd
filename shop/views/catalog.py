"""The product list and the product page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation

from .. import registry, selectors
from ..app_settings import app_settings
from ..models import Brand, Category

PRODUCTS_PER_PAGE = 24


def home(request: HttpRequest) -> HttpResponse:
    """The home page: featured and new products."""
    return render(request, "home.html", {"shelves": selectors.home_products()})


def product_list(request: HttpRequest) -> HttpResponse:
    category = brand = None
    if slug := request.GET.get("category"):
        category = Category.objects.filter(slug=slug[:140]).first()
    if slug := request.GET.get("brand"):
        brand = Brand.objects.filter(slug=slug[:140], is_published=True).first()
    products = registry.annotate_product_list(selectors.catalog_products(category=category, brand=brand))
    page = Paginator(products, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "shop/product_list.html",
        {
            "page_obj": page,
            "products": page.object_list,
            "category": category,
            "brand": brand,
            "categories": Category.objects.all(),
            "product_list_templates": registry.product_list_templates(),
        },
    )


def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    products = selectors.with_description_in(selectors.catalog_products(), translation.get_language())
    product = get_object_or_404(products, slug=slug)
    return render(
        request,
        "shop/product_detail.html",
        {
            "product": product,
            "description": product.localized_description,
            "product_panels": registry.render_product_panels(request, product),
            "max_quantity": app_settings.MAX_QUANTITY,
        },
    )
