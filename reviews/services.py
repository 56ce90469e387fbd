"""Writes that carry a rule: submitting, moderating and erasing reviews, and the submission rate limits."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from privacy.subjects import normalise_email
from shop.models import Product
from subscriptions import throttle

from . import scrubber
from .app_settings import app_settings
from .models import Review, ReviewStatus
from .selectors import has_bought

logger = logging.getLogger(__name__)


def allow_submission(*, ip: str | None, email: str) -> bool:
    """Count one review submission from this IP address and for this email; False once either limit is spent.

    The limits (REVIEWS_RATE_LIMIT_PER_IP, REVIEWS_RATE_LIMIT_PER_EMAIL) apply per window of
    REVIEWS_RATE_LIMIT_WINDOW_SECONDS. A refused submission still counts, so hammering does not help.
    """
    window = app_settings.RATE_LIMIT_WINDOW_SECONDS
    ip_ok = throttle.allow("reviews-ip", ip or "unknown", limit=app_settings.RATE_LIMIT_PER_IP, window_seconds=window)
    email_ok = throttle.allow(
        "reviews-email", normalise_email(email), limit=app_settings.RATE_LIMIT_PER_EMAIL, window_seconds=window
    )
    return ip_ok and email_ok


@transaction.atomic
def submit_review(
    *,
    product: Product,
    rating: int,
    title: str,
    body: str,
    display_name: str,
    email: str,
    city: str,
    country: str,
) -> tuple[Review, bool]:
    """Create the review, or edit this email's existing review of the product. Either way it awaits moderation.

    Returns (review, created). `verified_purchase` is decided here, never taken from the input.
    """
    email = normalise_email(email)
    fields: dict[str, Any] = {
        "rating": rating,
        "title": title.strip(),
        "body": body.strip(),
        "display_name": display_name.strip(),
        "city": city.strip(),
        "country": country,
        "status": ReviewStatus.PENDING,
        "verified_purchase": has_bought(email=email, product=product),
    }
    review = Review.objects.select_for_update().filter(product=product, email__iexact=email).first()
    created = review is None
    if created:
        review = Review(product=product, email=email)
    for name, value in fields.items():
        setattr(review, name, value)
    review.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        # The same person submitted twice at once: the other request created it; edit that one instead.
        review = Review.objects.select_for_update().get(product=product, email__iexact=email)
        created = False
        for name, value in fields.items():
            setattr(review, name, value)
        review.save()
    logger.info(
        "Review %s %s for product %s, awaiting moderation", review.pk, "created" if created else "edited", product.pk
    )
    return review, created


@transaction.atomic
def publish_reviews(*, review_ids: Iterable[int]) -> int:
    """Publish the reviews, masking email addresses and phone numbers left in their title and text."""
    now = timezone.now()
    reviews = list(
        Review.objects.select_for_update().filter(pk__in=list(review_ids)).exclude(status=ReviewStatus.PUBLISHED)
    )
    for review in reviews:
        review.title = scrubber.mask_contact_details(review.title)
        review.body = scrubber.mask_contact_details(review.body)
        review.status = ReviewStatus.PUBLISHED
        review.published_at = now
        review.updated_at = now
    Review.objects.bulk_update(reviews, ["title", "body", "status", "published_at", "updated_at"])
    logger.info("Published %d review(s): %s", len(reviews), [r.pk for r in reviews])
    return len(reviews)


@transaction.atomic
def reject_reviews(*, review_ids: Iterable[int]) -> int:
    """Take the reviews off (or keep them off) the public pages."""
    count = (
        Review.objects.filter(pk__in=list(review_ids))
        .exclude(status=ReviewStatus.REJECTED)
        .update(status=ReviewStatus.REJECTED, updated_at=timezone.now())
    )
    logger.info("Rejected %d review(s)", count)
    return count


def export_reviews_for(email: str) -> list[dict[str, Any]]:
    """Everything we hold in reviews about this email address, for the privacy app's data export."""
    reviews = (
        Review.objects.filter(email__iexact=normalise_email(email)).select_related("product").order_by("created_at")
    )
    return [
        {
            "product": review.product.name,
            "product_url": review.product.get_absolute_url(),
            "rating": review.rating,
            "title": review.title,
            "body": review.body,
            "display_name": review.display_name,
            "email": review.email,
            "city": review.city,
            "country": review.country.code,
            "verified_purchase": review.verified_purchase,
            "status": review.status,
            "created_at": review.created_at.isoformat(),
            "updated_at": review.updated_at.isoformat(),
            "published_at": review.published_at.isoformat() if review.published_at else None,
        }
        for review in reviews
    ]


@transaction.atomic
def anonymise_reviews_for(email: str) -> int:
    """Erase this email address from its reviews, for the privacy app's erasure.

    Rating and text stay (they help other shoppers), with any email address or phone number in them masked; the
    email goes, the name becomes "Former customer" and the location is coarsened to the country. Returns how many
    reviews changed.
    """
    now = timezone.now()
    reviews = list(Review.objects.select_for_update().filter(email__iexact=normalise_email(email)))
    for review in reviews:
        review.email = ""
        review.display_name = app_settings.ANONYMISED_NAME
        review.city = ""
        # Contact details the person wrote into a review still awaiting moderation go too.
        review.title = scrubber.mask_contact_details(review.title)
        review.body = scrubber.mask_contact_details(review.body)
        review.anonymised_at = now
        review.updated_at = now
    Review.objects.bulk_update(
        reviews, ["email", "display_name", "city", "title", "body", "anonymised_at", "updated_at"]
    )
    logger.info("Anonymised %d review(s) for an erasure request", len(reviews))
    return len(reviews)
