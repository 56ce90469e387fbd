"""Orders in the admin: read-only evidence of a sale, the shipping step, and payment references shown only to staff
with shop.view_payment_reference (Support reads orders without them)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from privacy.readonly_admin import ReadOnlyInline
from privacy.selectors import disclosures_with_reference

from . import services
from .forms import ShipOrderForm
from .models import Order, OrderEmail, OrderLine, Shipment

PAYMENT_REFERENCE_FIELDS = ["payment_token", "payment_authorization"]
PAYMENT_REFERENCE_PERMISSION = "shop.view_payment_reference"


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["product_name", "style_name", "unit_price", "quantity", "line_total"]
    readonly_fields = fields


class OrderEmailInline(ReadOnlyInline):
    model = OrderEmail
    verbose_name_plural = "email outbox"
    fields = ["kind", "created_at", "sent_at", "attempts", "last_error"]
    readonly_fields = fields


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ["carrier", "tracking_number", "shipped_at", "created_by"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "email", "placed_at", "total", "carrier", "status", "confirmation_sent"]
    list_filter = ["status", "carrier"]
    search_fields = ["number", "email"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, OrderEmailInline, ShipmentInline]
    readonly_fields = [
        "number",
        "user",
        "email",
        "status",
        "placed_at",
        "subtotal",
        "shipping_cost",
        "total",
        "carrier",
        "shipping_address_text",
        "billing_address_text",
        "card_brand",
        "card_last4",
        "payment_token",
        "payment_authorization",
        "disclosures",
        "ship_link",
    ]
    exclude = ["shipping_address", "billing_address", "checkout_key"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if request.user.has_perm(PAYMENT_REFERENCE_PERMISSION):
            return fields
        return [name for name in fields if name not in PAYMENT_REFERENCE_FIELDS]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                unsent=Count(
                    "emails", filter=Q(emails__kind=OrderEmail.Kind.CONFIRMATION, emails__sent_at__isnull=True)
                )
            )
        )

    @admin.display(boolean=True, description="confirmation sent")
    def confirmation_sent(self, obj):
        return obj.unsent == 0

    @admin.display(description="shipping address")
    def shipping_address_text(self, obj):
        return format_html_join("", "{}<br>", ((line,) for line in obj.shipping_lines))

    @admin.display(description="billing address")
    def billing_address_text(self, obj):
        return format_html_join("", "{}<br>", ((line,) for line in obj.billing_lines))

    @admin.display(description="disclosures")
    def disclosures(self, obj):
        rows = disclosures_with_reference(f"order:{obj.pk}")
        return (
            format_html_join(
                "",
                "<div>{}: {} to {} ({})</div>",
                (
                    (d.created_at.strftime("%Y-%m-%d %H:%M"), d.purpose, d.recipient_name, ", ".join(d.data_categories))
                    for d in rows
                ),
            )
            or "None"
        )

    @admin.display(description=_("shipping"))
    def ship_link(self, obj):
        return format_html(
            '<a class="button" href="{}">{}</a>', reverse("admin:shop_order_ship", args=[obj.pk]), _("Mark shipped…")
        )

    def get_urls(self):
        return [
            path("<int:pk>/ship/", self.admin_site.admin_view(self.ship_view), name="shop_order_ship"),
            *super().get_urls(),
        ]

    def ship_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = get_object_or_404(Order, pk=pk)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        form = ShipOrderForm(request.POST or None, initial={"carrier": order.carrier})
        if request.method == "POST" and form.is_valid():
            try:
                services.ship_order(order=order, staff=request.user, **form.cleaned_data)
            except ValueError as error:
                form.add_error("tracking_number", str(error))
            except IntegrityError:
                form.add_error("tracking_number", _("This tracking number is already recorded for another shipment."))
            else:
                self.message_user(
                    request,
                    _("Order %(number)s marked shipped; the shopper will be emailed.") % {"number": order.number},
                )
                return redirect("admin:shop_order_change", order.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Mark order %(number)s shipped") % {"number": order.number},
            "order": order,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/shop/order/ship.html", context)
