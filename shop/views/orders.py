"""The shopper's orders: the list and one order (also the thank-you page after checkout)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ..models import Order, OrderLine

ORDERS_PER_PAGE = 20


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    orders = (
        Order.objects.filter(user=request.user)
        .annotate(item_count=Count("lines"))
        .only("number", "placed_at", "status", "total", "currency")
        .order_by("-placed_at", "-id")
    )
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "shop/order_list.html", {"page_obj": page, "orders": page.object_list})


@login_required
def order_detail(request: HttpRequest, number: str, placed: bool = False) -> HttpResponse:
    order = get_object_or_404(
        Order.objects.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")), "shipments"),
        number=number,
        user=request.user,
    )
    return render(request, "shop/order_detail.html", {"order": order, "placed": placed})
