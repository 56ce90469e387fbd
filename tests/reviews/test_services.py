import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reviews import selectors, services
from reviews.models import Review, ReviewStatus
from tests.factories import ProductFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def submit(product, **overrides):
    data = {
        "product": product,
        "rating": 5,
        "title": "Lovely boots",
        "body": "Warm and dry all winter.",
        "display_name": "Ada",
        "email": "Ada@Example.com ",
        "city": "Manchester",
        "country": "GB",
    }
    data.update(overrides)
    return services.submit_review(**data)


def confirmed(product, **overrides):
    """Submit, then use the emailed link: the author has proven the address."""
    review = submit(product, **overrides)
    return services.confirm_review(token=services.confirmation_token(review))


def test_submitting_creates_an_unconfirmed_review_with_a_normalised_email():
    review = submit(ProductFactory())
    review.refresh_from_db()
    assert review.status == ReviewStatus.UNCONFIRMED
    assert review.email == "ada@example.com"
    assert (review.city, review.country.code) == ("Manchester", "GB")
    assert review.published_at is None
    assert review.confirmed_at is None


def test_a_confirmed_resubmission_replaces_the_review_and_sends_it_back_to_moderation():
    product = ProductFactory()
    first = confirmed(product)
    services.publish_reviews(review_ids=[first.pk])
    again = submit(product, email="ADA@example.com", rating=2, title="Soles wore out")
    assert Review.objects.count() == 2  # the new one waits for its link; the published one is untouched
    first.refresh_from_db()
    assert (first.status, first.title) == (ReviewStatus.PUBLISHED, "Lovely boots")
    again = services.confirm_review(token=services.confirmation_token(again))
    assert list(Review.objects.values_list("pk", flat=True)) == [again.pk]
    again.refresh_from_db()
    assert (again.rating, again.title, again.status) == (2, "Soles wore out", ReviewStatus.PENDING)
    # another product, or another email, is another review
    confirmed(ProductFactory())
    confirmed(product, email="grace@example.com")
    assert Review.objects.count() == 3


def test_the_database_refuses_a_second_review_per_product_and_email_whatever_the_case():
    existing = ReviewFactory(email="ada@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(product=existing.product, email="ADA@example.com")


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_the_database_refuses_a_rating_out_of_range(rating):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(rating=rating)


def test_the_database_refuses_a_review_without_a_city_unless_anonymised():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(city="")


def test_the_service_refuses_bad_values_even_without_the_form():
    with pytest.raises(ValidationError):
        submit(ProductFactory(), rating=9)
    with pytest.raises(ValidationError):
        submit(ProductFactory(), title="x" * 121)
    assert not Review.objects.exists()


def test_publishing_masks_emails_and_phone_numbers_left_in_the_text():
    review = confirmed(
        ProductFactory(),
        title="Call me on 06 12 34 56 78",
        body="Questions? jane@example.com. Shop is at 12 rue de la Paix.",
    )
    assert services.publish_reviews(review_ids=[review.pk]) == 1
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    assert review.published_at is not None
    assert review.title == "Call me on [phone removed]"
    assert review.body == "Questions? [email removed]. Shop is at 12 rue de la Paix."
    assert services.publish_reviews(review_ids=[review.pk]) == 0  # already published


def test_rejecting_takes_a_review_off_the_public_list():
    review = ReviewFactory()
    assert list(selectors.published_reviews(product=review.product)) == [review]
    assert services.reject_reviews(review_ids=[review.pk]) == 1
    assert list(selectors.published_reviews(product=review.product)) == []


def test_rating_summary_counts_published_reviews_only():
    product = ProductFactory()
    ReviewFactory(product=product, rating=5)
    ReviewFactory(product=product, rating=4)
    ReviewFactory(product=product, rating=4)
    ReviewFactory(product=product, rating=1, status=ReviewStatus.PENDING, published_at=None)
    ReviewFactory(product=product, rating=1, status=ReviewStatus.REJECTED)
    assert selectors.rating_summary(product=product) == selectors.RatingSummary(average=4.3, count=3)
    assert selectors.rating_summary(product=ProductFactory()) == selectors.RatingSummary(average=None, count=0)


def test_export_lists_every_review_of_that_email_and_nobody_elses():
    mine = ReviewFactory(email="ada@example.com", title="Mine")
    ReviewFactory(email="ada@example.com", title="Pending one", status=ReviewStatus.PENDING, published_at=None)
    ReviewFactory(email="grace@example.com", title="Not mine")
    exported = services.export_reviews_for("ADA@example.com")
    assert [row["title"] for row in exported] == ["Mine", "Pending one"]
    assert exported[0]["product"] == mine.product.name
    assert exported[0]["email"] == "ada@example.com"
    assert {"rating", "body", "city", "country", "status", "created_at", "verified_purchase"} <= exported[0].keys()
    assert services.export_reviews_for("nobody@example.com") == []


def test_anonymising_keeps_rating_and_text_and_drops_email_name_and_city():
    product = ProductFactory()
    review = ReviewFactory(product=product, email="ada@example.com", display_name="Ada L.", rating=2, title="Meh")
    other = ReviewFactory(product=product, email="grace@example.com")
    pending = confirmed(ProductFactory(), email="ada@example.com", body="Ring me on +33 6 12 34 56 78")
    unconfirmed = submit(ProductFactory(), email="ada@example.com")

    assert services.anonymise_reviews_for("Ada@Example.com") == 3
    assert not Review.objects.filter(pk=unconfirmed.pk).exists()  # nobody's yet: deleted, not kept nameless

    review.refresh_from_db()
    assert (review.rating, review.title, review.body) == (2, "Meh", "Comfortable and well made. Runs a little large.")
    assert review.email == ""
    assert review.display_name == "Former customer"
    assert review.city == ""
    assert review.location == "France"
    assert review.status == ReviewStatus.PUBLISHED
    pending.refresh_from_db()
    assert pending.body == "Ring me on [phone removed]"
    other.refresh_from_db()
    assert other.email == "grace@example.com"
    assert services.export_reviews_for("ada@example.com") == []
    assert services.anonymise_reviews_for("ada@example.com") == 0
    # the person may review the product again later: erased reviews don't block it
    confirmed(product, email="ada@example.com")


def test_rate_limits_per_ip_and_per_email(settings):
    settings.REVIEWS_RATE_LIMIT_PER_IP = 3
    settings.REVIEWS_RATE_LIMIT_PER_EMAIL = 2
    assert services.allow_submission(ip="203.0.113.5", email="a@example.com")
    assert services.allow_submission(ip="203.0.113.5", email="A@example.com ")
    assert not services.allow_submission(ip="203.0.113.5", email="a@example.com")  # email used up
    assert not services.allow_submission(ip="203.0.113.5", email="b@example.com")  # IP used up
    assert services.allow_submission(ip="198.51.100.7", email="c@example.com")


def test_rate_limit_counters_hold_no_email_or_ip(settings):
    from django.core.cache import cache

    services.allow_submission(ip="203.0.113.5", email="ada@example.com")
    client = cache._cache.get_client(write=True) if settings.REDIS_URL else None
    if client is None:
        pytest.skip("needs Redis to list the keys")
    keys = [key.decode() for key in client.scan_iter(f"{cache.key_prefix}:*")]
    assert keys
    assert not any("ada" in key or "203.0.113" in key for key in keys)


def test_services_log_no_email(caplog):
    caplog.set_level(logging.DEBUG)
    review = confirmed(ProductFactory(), email="secret.person@example.org")
    services.publish_reviews(review_ids=[review.pk])
    services.anonymise_reviews_for("secret.person@example.org")
    assert caplog.records
    assert "secret.person" not in caplog.text


def place_order_for(user, product):
    import uuid

    from shop.models import Order, OrderLine

    order = Order.objects.create(
        number=f"T-{uuid.uuid4().hex[:10]}",
        user=user,
        email=user.email,
        subtotal="19.90",
        shipping_cost="0.00",
        total="19.90",
        shipping_address={},
        billing_address={},
        carrier="dhl",
        payment_token="tok_test",
        payment_authorization="auth_test",
        checkout_key=uuid.uuid4(),
    )
    OrderLine.objects.create(
        order=order, product=product, product_name=product.name, unit_price="19.90", quantity=1, line_total="19.90"
    )


def test_verified_purchase_when_that_emails_account_ordered_the_product():
    from tests.factories import UserFactory

    bought, other_product = ProductFactory(), ProductFactory()
    buyer = UserFactory(email="buyer@example.com")
    place_order_for(buyer, bought)
    place_order_for(UserFactory(email="someone.else@example.com"), other_product)

    # typed, not yet proven: no badge, whoever typed it
    assert submit(bought, email="Buyer@Example.com").verified_purchase is False
    assert confirmed(bought, email="Buyer@Example.com").verified_purchase is True
    assert confirmed(other_product, email="buyer@example.com").verified_purchase is False  # bought something else
    assert confirmed(bought, email="guest@example.com").verified_purchase is False  # no account, no order
