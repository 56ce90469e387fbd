"""Demo reviews (idempotent): published and pending reviews on the demo shop's products."""

from __future__ import annotations

from django.db import transaction

from reviews import services
from reviews.models import Review, ReviewStatus
from shop.models import Product

# Products the shop's demo catalog has; any published products stand in when these are missing.
PREFERRED_SLUGS = ["linen-shirt", "market-tote", "merino-crew-neck", "weekender-bag"]

# product index, email, name, city, country, rating, title, text, status
REVIEWS = [
    (
        0,
        "ada@example.com",
        "Ada L.",
        "Manchester",
        "GB",
        5,
        "My favourite summer shirt",
        "Light, soft after the first wash and the sand colour goes with everything.",
        ReviewStatus.PUBLISHED,
    ),
    (
        0,
        "louise.m@example.net",
        "Louise",
        "Lyon",
        "FR",
        4,
        "Lovely, runs a little large",
        "Beautiful linen. I would take one size down.",
        ReviewStatus.PUBLISHED,
    ),
    (
        0,
        "kenji@example.org",
        "Kenji",
        "Osaka",
        "JP",
        3,
        "Creases a lot",
        "Nice fabric but it creases the moment you sit down. Expected with linen, I suppose.",
        ReviewStatus.PUBLISHED,
    ),
    (
        1,
        "ada@example.com",
        "Ada L.",
        "Manchester",
        "GB",
        4,
        "Carries everything",
        "Sturdy tote, fits a laptop and groceries. The strap could be longer.",
        ReviewStatus.PUBLISHED,
    ),
    (
        1,
        "sofia@example.net",
        "Sofia",
        "Porto",
        "PT",
        5,
        "Gets better with age",
        "Two years in and the leather looks better than on day one.",
        ReviewStatus.PUBLISHED,
    ),
    (
        2,
        "grace@example.com",
        "Grace",
        "Arlington",
        "US",
        5,
        "Warm without the itch",
        "Finally a merino jumper that does not itch. Washed it by hand, no shrinking.",
        ReviewStatus.PUBLISHED,
    ),
    (
        2,
        "tomasz@example.net",
        "Tomasz",
        "Kraków",
        "PL",
        2,
        "Pilled quickly",
        "Pilling under the arms after a month. Ask me on 06 12 34 56 78 or tomasz.k@example.net for photos.",
        ReviewStatus.PENDING,
    ),
    (
        3,
        "louise.m@example.net",
        "Louise",
        "Lyon",
        "FR",
        4,
        "Great weekend bag",
        "Handsome and roomy. Heavy when empty, though.",
        ReviewStatus.PENDING,
    ),
]


def seed() -> list[str]:
    products = list(Product.objects.filter(is_published=True, slug__in=PREFERRED_SLUGS))
    products.sort(key=lambda p: PREFERRED_SLUGS.index(p.slug))
    if len(products) < len(PREFERRED_SLUGS):
        taken = [p.pk for p in products]
        extra = Product.objects.filter(is_published=True).exclude(pk__in=taken).order_by("name")
        products += list(extra[: len(PREFERRED_SLUGS) - len(products)])
    if not products:
        return ["Reviews: no published products yet, so no demo reviews were created."]

    created = 0
    to_publish = []
    for index, email, name, city, country, rating, title, body, status in REVIEWS:
        if index >= len(products):
            continue
        product = products[index]
        if Review.objects.filter(product=product, email__iexact=email).exists():
            continue  # already seeded (or written by hand): leave it as it is
        with transaction.atomic():  # confirmed before commit: its confirmation email finds nothing due
            review = services.submit_review(
                product=product,
                rating=rating,
                title=title,
                body=body,
                display_name=name,
                email=email,
                city=city,
                country=country,
            )
            # The demo's reviewers own their (example) addresses: confirmed as if they had used the emailed link.
            review = services.confirm_submitted_review(review_id=review.pk)
        created += 1
        if status == ReviewStatus.PUBLISHED:
            to_publish.append(review.pk)
    services.publish_reviews(review_ids=to_publish)
    pending = Review.objects.filter(status=ReviewStatus.PENDING).count()
    return [
        f"Reviews: {created} demo review(s) added; {pending} awaiting moderation at /admin/reviews/review/"
        if created
        else f"Reviews: demo reviews already present; {pending} awaiting moderation at /admin/reviews/review/"
    ]
