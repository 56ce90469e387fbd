import pytest
from django.urls import reverse

from reviews.models import Review, ReviewStatus
from tests.factories import PASSWORD, ReviewFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:reviews_review_changelist")


@pytest.fixture
def staff_client(client):
    staff = StaffFactory()
    client.login(email=staff.email, password=PASSWORD)
    return client


def test_staff_see_the_reviewer_email_and_filter_by_status_and_rating(staff_client):
    ReviewFactory(
        title="Pending five", rating=5, status=ReviewStatus.PENDING, published_at=None, email="p5@example.org"
    )
    ReviewFactory(title="Published two", rating=2, email="pub2@example.org")

    html = staff_client.get(CHANGELIST).content.decode()
    assert "p5@example.org" in html
    assert "pub2@example.org" in html

    pending = staff_client.get(CHANGELIST, {"status__exact": "pending"}).content.decode()
    assert "Pending five" in pending
    assert "Published two" not in pending
    two_stars = staff_client.get(CHANGELIST, {"rating": "2"}).content.decode()
    assert "Published two" in two_stars
    assert "Pending five" not in two_stars


def test_shoppers_and_visitors_cannot_reach_the_moderation_pages(client):
    review = ReviewFactory(email="hidden@example.org")
    change = reverse("admin:reviews_review_change", args=[review.pk])
    for url in [CHANGELIST, change]:
        response = client.get(url)
        assert response.status_code == 302
        assert "hidden@example.org" not in response.content.decode()
    shopper = UserFactory()
    client.login(email=shopper.email, password=PASSWORD)
    assert client.get(change).status_code == 302


def test_bulk_publish_masks_contact_details_and_bulk_reject_hides(staff_client):
    first = ReviewFactory(status=ReviewStatus.PENDING, published_at=None, body="Text me on 06 12 34 56 78")
    second = ReviewFactory(status=ReviewStatus.PENDING, published_at=None)
    response = staff_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    assert "2 review(s) published." in response.content.decode()
    first.refresh_from_db()
    assert first.status == ReviewStatus.PUBLISHED
    assert first.body == "Text me on [phone removed]"
    assert first.product.get_absolute_url()
    assert "[phone removed]" in staff_client.get(first.product.get_absolute_url()).content.decode()

    response = staff_client.post(CHANGELIST, {"action": "reject", "_selected_action": [first.pk]}, follow=True)
    assert "1 review(s) rejected." in response.content.decode()
    assert Review.objects.get(pk=first.pk).status == ReviewStatus.REJECTED
    assert first.title not in staff_client.get(first.product.get_absolute_url()).content.decode()


def test_the_change_form_cannot_publish_around_the_masking(staff_client):
    review = ReviewFactory(status=ReviewStatus.PENDING, published_at=None)
    change = reverse("admin:reviews_review_change", args=[review.pk])
    html = staff_client.get(change).content.decode()
    assert review.email in html
    staff_client.post(
        change,
        {
            "product": review.product.pk,
            "status": "published",
            "rating": 5,
            "title": "T",
            "body": "B",
            "display_name": "N",
            "city": "Lyon",
            "country": "FR",
            "email": review.email,
        },
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING


def test_moderation_list_query_count_does_not_grow_with_reviews(staff_client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ReviewFactory.create_batch(3)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(CHANGELIST)
    ReviewFactory.create_batch(40)
    with django_assert_num_queries(len(few)):
        html = staff_client.get(CHANGELIST).content.decode()
    assert html.count('name="_selected_action"') == 43


def test_unconfirmed_reviews_are_filtered_apart_and_cannot_be_published(staff_client):
    waiting = ReviewFactory(
        title="Typed by anyone", status=ReviewStatus.UNCONFIRMED, confirmed_at=None, published_at=None
    )
    ReviewFactory(title="Ready one", status=ReviewStatus.PENDING, published_at=None)

    html = staff_client.get(CHANGELIST).content.decode()
    assert "Awaiting the author&#x27;s email confirmation" in html  # the status filter's choice
    only_waiting = staff_client.get(CHANGELIST, {"status__exact": "unconfirmed"}).content.decode()
    assert "Typed by anyone" in only_waiting
    assert "Ready one" not in only_waiting
    ready = staff_client.get(CHANGELIST, {"status__exact": "pending"}).content.decode()
    assert "Typed by anyone" not in ready

    for action in ["publish", "reject"]:
        response = staff_client.post(CHANGELIST, {"action": action, "_selected_action": [waiting.pk]}, follow=True)
        assert "skipped: their author hasn" in response.content.decode()
        waiting.refresh_from_db()
        assert waiting.status == ReviewStatus.UNCONFIRMED
