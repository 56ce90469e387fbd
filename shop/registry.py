"""Extension points for apps above shop (reviews) without shop importing them.

An app registers in its AppConfig.ready():
- a product page panel: a function (request, product) -> (template name, context) or None; the product page
  renders each registered panel in order;
- a product list extension: a queryset annotation plus a small template rendered beside each product
  (it receives `product`, carrying the annotation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from .models import Product

ProductPanel = Callable[["HttpRequest", "Product"], "tuple[str, dict] | None"]


@dataclass(frozen=True)
class ProductListExtension:
    annotate: Callable[[QuerySet], QuerySet]
    template: str


_product_panels: list[ProductPanel] = []
_list_extensions: list[ProductListExtension] = []


def register_product_panel(panel: ProductPanel) -> None:
    if panel not in _product_panels:
        _product_panels.append(panel)


def register_product_list_extension(*, annotate: Callable[[QuerySet], QuerySet], template: str) -> None:
    extension = ProductListExtension(annotate=annotate, template=template)
    if extension not in _list_extensions:
        _list_extensions.append(extension)


def render_product_panels(request: HttpRequest, product: Product) -> list[SafeString]:
    rendered = []
    for panel in _product_panels:
        result = panel(request, product)
        if result is not None:
            template, context = result
            rendered.append(mark_safe(render_to_string(template, {"product": product, **context}, request)))  # noqa: S308
    return rendered


def annotate_product_list(queryset: QuerySet) -> QuerySet:
    for extension in _list_extensions:
        queryset = extension.annotate(queryset)
    return queryset


def product_list_templates() -> list[str]:
    return [extension.template for extension in _list_extensions]
