"""Moderation. The reviewer's email is shown here, to staff only (the admin requires a staff account)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from privacy.charts import Segment, stacked_bar

from . import services
from .models import Review, ReviewStatus


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "product",
        "rating",
        "display_name",
        "email",
        "city",
        "country",
        "status",
        "verified_purchase",
        "created_at",
    ]
    list_filter = ["status", "rating", "verified_purchase", "created_at"]
    search_fields = ["title", "body", "display_name", "email", "product__name"]
    list_select_related = ["product"]
    date_hierarchy = "created_at"
    actions = ["publish", "reject"]
    # Status changes go through the actions: publishing masks contact details left in the text.
    change_form_template = "admin/reviews/review/change_form.html"
    change_list_template = "admin/reviews/review/change_list.html"
    # The customer's words, rating and identity are theirs: staff publish or reject, they don't edit.
    readonly_fields = [
        "product",
        "rating",
        "title",
        "body",
        "display_name",
        "city",
        "country",
        "email",
        "status",
        "verified_purchase",
        "created_at",
        "updated_at",
        "confirmed_at",
        "published_at",
        "anonymised_at",
    ]
    fieldsets = [
        (None, {"fields": ["product", "status", "rating", "title", "body"]}),
        (
            _("Reviewer (name and location are public, the email is private)"),
            {"fields": ["display_name", "city", "country", "email", "verified_purchase"]},
        ),
        (_("Dates"), {"fields": ["created_at", "confirmed_at", "updated_at", "published_at", "anonymised_at"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reviews come from shoppers, through the form

    @admin.action(
        description=_("Publish the selected reviews (masks emails and phone numbers in the text)"),
        permissions=["change"],
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        count = services.publish_reviews(review_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} review(s) published.", messages.SUCCESS)
        self._skipped_unconfirmed(request, queryset)

    def _skipped_unconfirmed(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        waiting = queryset.filter(status=ReviewStatus.UNCONFIRMED).count()
        if waiting:
            self.message_user(
                request,
                f"{waiting} review(s) skipped: their author hasn't confirmed the email address yet, so they are "
                "not ready for moderation (unconfirmed reviews are deleted after 30 days).",
                messages.WARNING,
            )

    @admin.action(description=_("Reject the selected reviews"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        count = services.reject_reviews(review_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} review(s) rejected.", messages.SUCCESS)
        self._skipped_unconfirmed(request, queryset)

    def get_urls(self):
        return [
            path(
                "<int:pk>/moderate/<str:decision>/",
                self.admin_site.admin_view(self.moderate_view),
                name="reviews_review_moderate",
            ),
            *super().get_urls(),
        ]

    def moderate_view(self, request: HttpRequest, pk: int, decision: str) -> HttpResponse:
        """The change page's Publish / Reject buttons: one POST, the same services as the list's actions."""
        if decision not in {"publish", "reject"}:
            raise PermissionDenied
        review = get_object_or_404(Review, pk=pk)
        if not self.has_change_permission(request, review):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        queryset = Review.objects.filter(pk=review.pk)
        getattr(self, decision)(request, queryset)
        return redirect("admin:reviews_review_change", review.pk)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            context["moderation"] = {
                "can_publish": obj.status in {ReviewStatus.PENDING, ReviewStatus.REJECTED},
                "can_reject": obj.status in {ReviewStatus.PENDING, ReviewStatus.PUBLISHED},
                "unconfirmed": obj.status == ReviewStatus.UNCONFIRMED,
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"rating_charts": rating_charts(), **(extra_context or {})})


STARS = ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"]
STAR_COLOURS = ["#C00000", "#D55E00", "#E69F00", "#56B4E9", "#009E73"]


def rating_charts(limit: int = 8) -> list[tuple[str, str]]:
    """(product, stacked bar of its ratings 1 to 5) for the most reviewed products; unconfirmed reviews left out.
    One query."""
    rows = (
        Review.objects.exclude(status=ReviewStatus.UNCONFIRMED)
        .values("product_id", "product__name")
        .annotate(total=Count("id"), **{f"r{n}": Count("id", filter=Q(rating=n)) for n in range(1, 6)})
        .order_by("-total", "product__name")[:limit]
    )
    return [
        (
            row["product__name"],
            stacked_bar(
                [Segment(STARS[n - 1], row[f"r{n}"], STAR_COLOURS[n - 1]) for n in range(1, 6)],
                label=f"Ratings of {row['product__name']}",
            ),
        )
        for row in rows
    ]
