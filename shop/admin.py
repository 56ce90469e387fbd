"""The shop's admin: catalog, support tickets, contests; orders in admin_orders."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import (
    admin_orders,  # noqa: F401 (registers the order admin)
    services,
)
from .images import make_renditions, renditions
from .models import (
    Brand,
    Category,
    Contest,
    ContestEntry,
    Product,
    ProductDescription,
    ProductStyle,
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

    @admin.action(description=_("Publish selected brands (and announce them)"), permissions=["change"])
    def publish(self, request, queryset):
        count = sum(services.publish_brand(brand=b) for b in queryset)
        self.message_user(request, f"{count} brand(s) published and queued for the alerts topic.")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]
    prepopulated_fields = {"slug": ["name"]}


class ProductDescriptionInline(admin.StackedInline):
    model = ProductDescription
    extra = 0


class ProductStyleInline(admin.TabularInline):
    model = ProductStyle
    fields = ["name", "is_published", "published_at"]
    readonly_fields = ["is_published", "published_at"]
    extra = 0
    show_change_link = True


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "category", "price", "is_published", "is_featured"]
    list_filter = ["is_published", "is_featured", "brand", "category"]
    list_select_related = ["brand", "category"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProductStyleInline, ProductDescriptionInline]
    readonly_fields = ["photo"]

    @admin.display(description=_("photo as shoppers see it"))
    def photo(self, obj: Product) -> str:
        """The 320 px rendition with its alt text, so staff check the crop and the description together."""
        found = renditions(obj) if obj.pk else []
        if not found:
            return _("No photo yet: upload one above.") if obj.pk else "-"
        small = found[0]
        return format_html(
            '<img src="{}" width="{}" height="{}" alt=""><br>{}',
            small.url,
            small.width,
            small.height,
            _("Described as: “%(alt)s”") % {"alt": obj.image_alt or obj.name},
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "image" in form.changed_data and obj.image:
            make_renditions(obj)  # the sizes pages ask for, made now rather than on the first visit


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

    @admin.action(description=_("Publish selected styles (and announce them)"), permissions=["change"])
    def publish(self, request, queryset):
        count = sum(services.publish_style(style=s) for s in queryset)
        self.message_user(request, f"{count} style(s) published and queued for the alerts topic.")


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
                messages.success(request, _("Your reply was saved and is being emailed."))
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

    @admin.action(description=_("Draw winners at random"), permissions=["change"])
    def draw(self, request, queryset):
        for contest in queryset:
            try:
                winners = services.draw_winners(contest=contest)
            except services.ContestError as error:
                self.message_user(request, f"{contest}: {error}", level=messages.ERROR)
            else:
                self.message_user(request, f"{contest}: {len(winners)} winner(s) drawn.")
