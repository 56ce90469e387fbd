"""The cart page and its add, quantity and remove posts (the cart lives in the session)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors
from ..app_settings import app_settings
from ..cart import Cart, CartError


def cart_detail(request: HttpRequest) -> HttpResponse:
    cart = Cart(request.session)
    lines = cart.lines()
    return render(
        request,
        "shop/cart.html",
        {"lines": lines, "subtotal": Cart.subtotal(lines), "max_quantity": app_settings.MAX_QUANTITY},
    )


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    cart = Cart(request.session)
    try:
        line = cart.add(
            product_id=request.POST.get("product_id"),
            style_id=request.POST.get("style_id"),
            quantity=request.POST.get("quantity", "1"),
        )
    except CartError as error:
        messages.error(request, str(error))
        product = selectors.catalog_products().filter(pk=_int_or_none(request.POST.get("product_id"))).first()
        return redirect(product.get_absolute_url() if product else "shop:cart")
    messages.success(request, _("Added %(product)s to your cart.") % {"product": line.product.name})
    return redirect("shop:cart")


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    cart = Cart(request.session)
    key = request.POST.get("key", "")
    try:
        if "remove" in request.POST:
            cart.remove(key=key)
            messages.success(request, _("Item removed from your cart."))
        else:
            cart.set_quantity(key=key, quantity=request.POST.get("quantity"))
            messages.success(request, _("Quantity updated."))
    except CartError as error:
        messages.error(request, str(error))
    return redirect("shop:cart")


def _int_or_none(raw: object) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None
