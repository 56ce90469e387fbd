"""The reviews app's one email: the link that confirms a review's author owns its address."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from subscriptions.services import send_transactional

from .app_settings import app_settings
from .models import Review

KIND = "review"


def send_review_confirmation(review: Review, *, token: str) -> None:
    """Transactional: the address was typed into our form, so it gets the link whatever its marketing choices.

    The email names the product only, never the review's text: a stranger typing someone's address must not be
    able to put words in their inbox."""
    send_transactional(
        to=review.email,
        template="email/reviews/confirm_review",
        context={
            "product": review.product,
            "confirm_url": settings.SITE_URL.rstrip("/") + reverse("reviews:confirm", kwargs={"token": token}),
            "hours": app_settings.CONFIRMATION_MAX_AGE_HOURS,
        },
        kind=KIND,
        object_id=f"review:{review.pk}",
        language=review.language,
    )
