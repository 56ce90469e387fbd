from __future__ import annotations

from django.contrib import admin, messages
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from privacy.readonly_admin import ReadOnlyInline
from privacy.selectors import disclosures_with_reference

from . import services
from .forms import ShipOrderForm
from .models import (
    Brand,
    Category,
    Contest,
    ContestEntry,
    Order,
    OrderEmail,
    OrderLine,
    Product,
    ProductStyle,
    Shipment,
    SupportReply,
    SupportTicket,
)


class PublishOnSaveMixin:
    """Ticking "is published" on an unpublished object goes through the publish service (which queues the alert)."""

    publish_service = None

    def save_model(self, request, obj, form, change):
        publishing = obj.is_published and not (
            change and type(obj).objects.filter(pk=obj.pk, is_published=True).exists()
        )
        if publishing:
            obj.is_published = False
        super().save_model(request, obj, form, change)
        if publishing:
            type(self).publish_service(obj)


@admin.register(Brand)
class BrandAdmin(PublishOnSaveMixin, admin.ModelAdmin):
    list_display = ["name", "is_published", "published_at"]
    list_filter = ["is_published"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["published_at"]
    actions = ["publish"]

    @staticmethod
    def publish_service(brand):
        return services.publish_brand(brand=brand)

    @admin.action(description="Publish selected brands (and announce them)")
    def publish(self, request, queryset):
        count = sum(services.publish_brand(brand=b) for b in queryset)
        self.message_user(request, f"{count} brand(s) published and queued for the alerts topic.")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]
    prepopulated_fields = {"slug": ["name"]}


class ProductStyleInline(admin.TabularInline):
    model = ProductStyle
    fields = ["name", "is_published", "published_at"]
    readonly_fields = ["is_published", "published_at"]
    extra = 0
    show_change_link = True


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "category", "price", "is_published"]
    list_filter = ["is_published", "brand", "category"]
    list_select_related = ["brand", "category"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProductStyleInline]


@admin.register(ProductStyle)
class ProductStyleAdmin(PublishOnSaveMixin, admin.ModelAdmin):
    list_display = ["name", "product", "is_published", "published_at"]
    list_filter = ["is_published"]
    list_select_related = ["product"]
    search_fields = ["name", "product__name"]
    autocomplete_fields = ["product"]
    readonly_fields = ["published_at"]
    actions = ["publish"]

    @staticmethod
    def publish_service(style):
        return services.publish_style(style=style)

    @admin.action(description="Publish selected styles (and announce them)")
    def publish(self, request, queryset):
        count = sum(services.publish_style(style=s) for s in queryset)
        self.message_user(request, f"{count} style(s) published and queued for the alerts topic.")


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

    @admin.display(description="shipping")
    def ship_link(self, obj):
        return format_html(
            '<a class="button" href="{}">Mark shipped…</a>', reverse("admin:shop_order_ship", args=[obj.pk])
        )

    def get_urls(self):
        return [
            path("<int:pk>/ship/", self.admin_site.admin_view(self.ship_view), name="shop_order_ship"),
            *super().get_urls(),
        ]

    def ship_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = get_object_or_404(Order, pk=pk)
        if not self.has_change_permission(request, order):
            return redirect("admin:index")
        form = ShipOrderForm(request.POST or None, initial={"carrier": order.carrier})
        if request.method == "POST" and form.is_valid():
            try:
                services.ship_order(order=order, staff=request.user, **form.cleaned_data)
            except ValueError as error:
                form.add_error("tracking_number", str(error))
            except IntegrityError:
                form.add_error("tracking_number", "This tracking number is already recorded for another shipment.")
            else:
                self.message_user(request, f"Order {order.number} marked shipped; the shopper will be emailed.")
                return redirect("admin:shop_order_change", order.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Mark order {order.number} shipped",
            "order": order,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/shop/order/ship.html", context)


class SupportReplyInline(admin.StackedInline):
    model = SupportReply
    fields = ["body", "author", "created_at", "sent_at"]
    readonly_fields = ["author", "created_at", "sent_at"]
    extra = 1
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SupportTicket)
class SupportTicketAdmin(admin.ModelAdmin):
    list_display = ["pk", "subject", "name", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["subject", "email", "order_number"]
    readonly_fields = ["user", "name", "email", "order_number", "subject", "message", "created_at"]
    inlines = [SupportReplyInline]

    def has_add_permission(self, request):
        return False

    def save_formset(self, request, form, formset, change):
        """New replies go through the reply service, which keeps them on the ticket and emails them."""
        if formset.model is not SupportReply:
            return super().save_formset(request, form, formset, change)
        for reply in formset.save(commit=False):
            if reply.pk is None:
                services.reply_to_ticket(ticket=form.instance, body=reply.body, author=request.user)
                messages.success(request, "Your reply was saved and is being emailed.")
        return None


class ContestEntryInline(admin.TabularInline):
    model = ContestEntry
    fields = ["first_name", "city", "email", "list_publicly", "is_winner", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ["title", "prize", "starts_at", "ends_at", "winners_count", "drawn_at", "entry_count"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["drawn_at"]
    inlines = [ContestEntryInline]
    actions = ["draw"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_total=Count("entries"))

    @admin.display(description="entries")
    def entry_count(self, obj):
        return obj.entry_total

    @admin.action(description="Draw winners at random")
    def draw(self, request, queryset):
        for contest in queryset:
            try:
                winners = services.draw_winners(contest=contest)
            except services.ContestError as error:
                self.message_user(request, f"{contest}: {error}", level=messages.ERROR)
            else:
                self.message_user(request, f"{contest}: {len(winners)} winner(s) drawn.")
