"""Writes that carry a rule: submitting, moderating and erasing reviews, and the submission rate limits."""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from privacy.subjects import normalise_email
from shop.models import Product
from subscriptions import throttle

from . import emails, scrubber
from .app_settings import app_settings
from .models import Review, ReviewStatus
from .selectors import has_bought, owns_confirmed_address

CONFIRMATION_SALT = "reviews.confirmation"

logger = logging.getLogger(__name__)


def allow_attempt(*, ip: str) -> bool:
    """Count one post of the review form from this IP address, before the form is checked at all; False once
    REVIEWS_ATTEMPT_LIMIT_PER_IP is spent in the window, so the checks cost a bounded amount of work per client."""
    return throttle.allow(
        "reviews-attempt",
        ip,
        limit=app_settings.ATTEMPT_LIMIT_PER_IP,
        window_seconds=app_settings.RATE_LIMIT_WINDOW_SECONDS,
    )


def allow_submission(*, ip: str, email: str) -> bool:
    """Count one review submission from this IP address and for this email; False once either limit is spent.

    The limits (REVIEWS_RATE_LIMIT_PER_IP, REVIEWS_RATE_LIMIT_PER_EMAIL) apply per window of
    REVIEWS_RATE_LIMIT_WINDOW_SECONDS. A refused submission still counts, so hammering does not help.
    """
    window = app_settings.RATE_LIMIT_WINDOW_SECONDS
    ip_ok = throttle.allow("reviews-ip", ip, limit=app_settings.RATE_LIMIT_PER_IP, window_seconds=window)
    email_ok = throttle.allow(
        "reviews-email", normalise_email(email), limit=app_settings.RATE_LIMIT_PER_EMAIL, window_seconds=window
    )
    return ip_ok and email_ok


class InvalidConfirmation(Exception):
    """A review confirmation link that is malformed, tampered with, expired or already used: nothing changes."""


def confirmation_token(review: Review) -> str:
    """The emailed link's token: signed and timestamped, naming the review and its one-time nonce (never the
    address). Using it clears the nonce, so it works once; it expires after REVIEWS_CONFIRMATION_MAX_AGE_HOURS."""
    return signing.TimestampSigner(salt=CONFIRMATION_SALT).sign_object([review.pk, review.confirmation_nonce])


def _load_token(token: str) -> tuple[int, str]:
    try:
        review_id, nonce = signing.TimestampSigner(salt=CONFIRMATION_SALT).unsign_object(
            token[:200], max_age=app_settings.CONFIRMATION_MAX_AGE_HOURS * 3600
        )
        return int(review_id), str(nonce)
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidConfirmation from None


def check_confirmation(*, token: str) -> Review:
    """The unconfirmed review a link confirms, without changing anything (the link's GET shows a button)."""
    review_id, nonce = _load_token(token)
    review = (
        Review.objects.select_related("product")
        .filter(pk=review_id, status=ReviewStatus.UNCONFIRMED)
        .exclude(confirmation_nonce="")
        .first()
    )
    if review is None or not constant_time_compare(review.confirmation_nonce, nonce):
        raise InvalidConfirmation
    return review


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
    account: Any = None,
    language: str = "",
) -> Review:
    """Store a review as UNCONFIRMED and email its author a confirmation link; nothing else changes.

    Until the link is used the review is neither moderated nor public, and the address's earlier review of the
    product (if any) stays exactly as it is. The work and the reply are the same whether or not the address has a
    review, an account or an order. A logged-in `account` whose confirmed address is `email` has proven it
    already: its review is confirmed at once, without an email.
    """
    email = normalise_email(email)
    review = Review(
        product=product,
        email=email,
        rating=rating,
        title=title.strip(),
        body=body.strip(),
        display_name=display_name.strip(),
        city=city.strip(),
        country=country,
        status=ReviewStatus.UNCONFIRMED,
        verified_purchase=False,
        confirmation_nonce=secrets.token_urlsafe(16),
        language=language if language in dict(settings.LANGUAGES) else "",
    )
    review.full_clean(validate_unique=False, validate_constraints=False)
    review.save()
    if account is not None and account.is_authenticated and owns_confirmed_address(user=account, email=email):
        return _confirm(review)
    _enqueue_confirmation(review.pk)
    logger.info("Review %s stored for product %s, awaiting its author's email confirmation", review.pk, product.pk)
    return review


def _enqueue_confirmation(review_id: int) -> None:
    """Through the task outbox (written in this transaction, published after commit): with the broker down the
    email goes once it is back, instead of never."""
    from outbox import services as outbox

    from .tasks import send_review_confirmation

    outbox.enqueue(send_review_confirmation, review_id)


def deliver_confirmation(*, review_id: int) -> bool:
    """Send the confirmation email of one still-unconfirmed review (the task's body). False when nothing is due."""
    review = (
        Review.objects.select_related("product")
        .filter(pk=review_id, status=ReviewStatus.UNCONFIRMED)
        .exclude(confirmation_nonce="")
        .first()
    )
    if review is None:
        return False
    emails.send_review_confirmation(review, token=confirmation_token(review))
    return True


@transaction.atomic
def confirm_review(*, token: str) -> Review:
    """Use a confirmation link: the review goes to moderation and replaces the address's earlier review."""
    review_id, _nonce = _load_token(token)
    Review.objects.select_for_update().filter(pk=review_id).first()  # one confirmation at a time
    review = check_confirmation(token=token)
    return _confirm(review)


@transaction.atomic
def confirm_submitted_review(*, review_id: int) -> Review:
    """Confirm without a link, for code that has proven the address otherwise (the demo seed)."""
    return _confirm(Review.objects.select_for_update().get(pk=review_id, status=ReviewStatus.UNCONFIRMED))


def _confirm(review: Review) -> Review:
    """The address is proven: replace its earlier review of the product (and older unconfirmed drafts, whose links
    die with them) by this one, which awaits moderation. "Verified purchase" is decided now, for the proven
    address."""
    earlier = Review.objects.select_for_update().filter(product=review.product, email__iexact=review.email)
    earlier = earlier.exclude(pk=review.pk).exclude(status=ReviewStatus.UNCONFIRMED, created_at__gt=review.created_at)
    replaced = list(earlier.values_list("pk", flat=True))
    Review.objects.filter(pk__in=replaced).delete()
    review.status = ReviewStatus.PENDING
    review.confirmed_at = timezone.now()
    review.confirmation_nonce = ""
    review.verified_purchase = has_bought(email=review.email, product=review.product)
    review.save(update_fields=["status", "confirmed_at", "confirmation_nonce", "verified_purchase", "updated_at"])
    logger.info(
        "Review %s confirmed by its author, awaiting moderation (replaced %d earlier)", review.pk, len(replaced)
    )
    return review


def purge_unconfirmed(*, older_than_days: int = 30) -> int:
    """Delete reviews whose author never confirmed the address within `older_than_days`; returns how many."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    count, _ = Review.objects.filter(status=ReviewStatus.UNCONFIRMED, created_at__lt=cutoff).delete()
    logger.info("Purged %d unconfirmed review(s) older than %d days", count, older_than_days)
    return count


@transaction.atomic
def publish_reviews(*, review_ids: Iterable[int]) -> int:
    """Publish the reviews, masking email addresses and phone numbers left in their title and text. Unconfirmed
    reviews are skipped: nobody has proven their author's address yet."""
    now = timezone.now()
    reviews = list(
        Review.objects.select_for_update()
        .filter(pk__in=list(review_ids))
        .exclude(status__in=[ReviewStatus.PUBLISHED, ReviewStatus.UNCONFIRMED])
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
        .exclude(status__in=[ReviewStatus.REJECTED, ReviewStatus.UNCONFIRMED])
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
    mine = Review.objects.select_for_update().filter(email__iexact=normalise_email(email))
    # Unconfirmed reviews are nobody's yet (anyone may have typed the address): they go entirely.
    deleted, _ = mine.filter(status=ReviewStatus.UNCONFIRMED).delete()
    reviews = list(mine.exclude(status=ReviewStatus.UNCONFIRMED))
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
    logger.info("Anonymised %d review(s), deleted %d unconfirmed, for an erasure request", len(reviews), deleted)
    return len(reviews) + deleted
