"""What reviews contributes to the privacy center (registered in ReviewsConfig.ready)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from privacy.data_rights import person_emails

from . import scrubber, services
from .models import Review, ReviewStatus


def export_reviews(user) -> list[dict]:
    return [review for email in person_emails(user) for review in services.export_reviews_for(email)]


def erase_reviews(user, *, retention: datetime.timedelta) -> dict:
    return {"reviews_anonymised": sum(services.anonymise_reviews_for(email) for email in person_emails(user))}


def published_reviews_with_contact_details() -> tuple[int, list]:
    """Published reviews whose title, text, name or city shows an email address or a phone number."""
    found = [
        pk
        for pk, title, body, name, city in Review.objects.filter(status=ReviewStatus.PUBLISHED)
        .values_list("pk", "title", "body", "display_name", "city")
        .iterator(chunk_size=2000)
        if set(scrubber.personal_detail_kinds(title, body, name, city)) & set(scrubber.MASKS)
    ]
    return len(found), found[:5]


def reviews_section(user) -> list[dict]:
    """ "What we hold about you": the person's reviews under any of their addresses."""
    return [
        {
            _("Product"): review["product"],
            _("Title"): review["title"],
            _("Rating"): f"{review['rating']}/5",
            _("Shown as"): f"{review['display_name']}, {review['city']}",
            _("Status"): ReviewStatus(review["status"]).label
            if review["status"] in ReviewStatus.values
            else review["status"],
        }
        for review in export_reviews(user)
    ]
