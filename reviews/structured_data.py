"""schema.org markup (JSON-LD) for a product's reviews: public fields only, never an email address."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from shop.models import Product

from .models import Review
from .selectors import RatingSummary

# As django.utils.html.json_script does: no "</script>" or "<!--" can close the element early.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def product_reviews_json_ld(*, product: Product, summary: RatingSummary, reviews: Iterable[Review]) -> SafeString:
    data: dict = {"@context": "https://schema.org", "@type": "Product", "name": product.name}
    if summary.count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": summary.average,
            "reviewCount": summary.count,
            "bestRating": 5,
            "worstRating": 1,
        }
        data["review"] = [
            {
                "@type": "Review",
                "name": review.title,
                "reviewBody": review.body,
                "reviewRating": {"@type": "Rating", "ratingValue": review.rating, "bestRating": 5, "worstRating": 1},
                "author": {"@type": "Person", "name": review.display_name},
                "datePublished": review.published_at.date() if review.published_at else None,
            }
            for review in reviews
        ]
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 (escaped above)
