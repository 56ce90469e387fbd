"""Issue 15, item 12: a review's Publish / Reject buttons, payment references hidden from Support, the data request
queue (person by email, export link, due flags, locked once completed), the admin home's to-dos, and Celery beat's
models and Sites hidden from the shop's staff groups."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from privacy.models import DataExport, DataRequest
from reviews.models import Review
from shop.models import Order
from tests.factories import ProductFactory, ReviewFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def member(group: str, email: str | None = None, *permissions: str):
    user = StaffFactory(email=email or f"{group.lower().replace(' ', '-')}@example.org", is_superuser=False)
    user.groups.add(Group.objects.get(name=group))
    for label in permissions:
        app_label, codename = label.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


@pytest.fixture
def root_client(client):
    client.force_login(StaffFactory(email="root@example.org"))
    return client


# Reviews -----------------------------------------------------------------------------------------------------------


def review_in(status: str, **fields) -> Review:
    published = timezone.now() if status == "published" else None
    return ReviewFactory(product=ProductFactory(), status=status, published_at=published, **fields)


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        ("pending", {"publish", "reject"}),
        ("published", {"reject"}),
        ("rejected", {"publish"}),
        ("unconfirmed", set()),
    ],
)
def test_a_review_page_offers_the_buttons_its_state_allows_and_no_editable_customer_text(root_client, status, buttons):
    review = review_in(status)
    page = root_client.get(reverse("admin:reviews_review_change", args=[review.pk])).content.decode()
    shown = {name for name in ["publish", "reject"] if f'id="review-{name}"' in page}
    assert shown == buttons
    for field in ["title", "body", "rating", "display_name", "email", "city"]:
        assert f'name="{field}"' not in page  # read-only: the customer's words are theirs
    assert review.body in page


def test_publish_button_publishes_with_masking_and_reject_button_rejects(root_client):
    review = review_in("pending", body="Great fit. Call me on +33 6 12 34 56 78.")
    response = root_client.post(reverse("admin:reviews_review_moderate", args=[review.pk, "publish"]))
    assert response.url == reverse("admin:reviews_review_change", args=[review.pk])
    review.refresh_from_db()
    assert review.status == "published"
    assert "12 34 56 78" not in review.body
    root_client.post(reverse("admin:reviews_review_moderate", args=[review.pk, "reject"]))
    assert Review.objects.get(pk=review.pk).status == "rejected"
    assert root_client.get(reverse("admin:reviews_review_moderate", args=[review.pk, "publish"])).status_code == 405
    assert Review.objects.get(pk=review.pk).status == "rejected"  # a GET changes nothing


def test_support_cannot_publish_through_the_button_url(client):
    review = review_in("pending")
    client.force_login(member("Support"))
    for decision in ["publish", "reject"]:
        assert client.post(reverse("admin:reviews_review_moderate", args=[review.pk, decision])).status_code == 403
    assert Review.objects.get(pk=review.pk).status == "pending"


def test_saving_the_change_form_cannot_rewrite_the_customers_text(root_client):
    review = review_in("pending")
    before = (review.title, review.body, review.rating)
    root_client.post(
        reverse("admin:reviews_review_change", args=[review.pk]),
        {"title": "Staff wrote this", "body": "Changed", "rating": 1, "product": review.product_id},
    )
    review.refresh_from_db()
    assert (review.title, review.body, review.rating) == before


# Orders ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def order():
    shopper = UserFactory(email="buyer@example.com")
    return Order.objects.create(
        number="SPC-261129-ABCDEF",
        user=shopper,
        email=shopper.email,
        subtotal=Decimal("10.00"),
        shipping_cost=Decimal("5.00"),
        total=Decimal("15.00"),
        shipping_address={},
        billing_address={},
        carrier="dhl",
        payment_token="tok_secret_visa_4242",
        payment_authorization="auth_secret_1234",
        checkout_key=uuid.uuid4(),
    )


def test_support_reads_orders_without_payment_references(client, order):
    url = reverse("admin:shop_order_change", args=[order.pk])
    client.force_login(member("Support"))
    page = client.get(url).content.decode()
    assert order.number in page
    assert "tok_secret_visa_4242" not in page
    assert "auth_secret_1234" not in page
    client.force_login(member("Support", "finance@example.org", "shop.view_payment_reference"))
    page = client.get(url).content.decode()
    assert "tok_secret_visa_4242" in page
    assert "auth_secret_1234" in page


# Data requests -----------------------------------------------------------------------------------------------------


def data_request(days_left: float, status: str = "received", **fields) -> DataRequest:
    now = timezone.now()
    received = now - datetime.timedelta(days=30 - days_left)
    return DataRequest.objects.create(
        kind=fields.pop("kind", "export"),
        status=status,
        received_at=min(received, now),
        due_at=now + datetime.timedelta(days=days_left),
        completed_at=now if status == "completed" else None,
        **fields,
    )


def test_the_request_queue_shows_the_person_the_export_and_the_due_state(client):
    person = UserFactory(email="asker@example.com")
    near = data_request(5.5, user=person)
    overdue = data_request(-2.5, status="verified", kind="erasure")
    data_request(20.5)
    done = data_request(3, status="completed", user=person)
    export = DataExport.objects.create(
        user=person, request=done, expires_at=timezone.now() + datetime.timedelta(days=7)
    )
    client.force_login(member("Privacy officer"))
    page = client.get(reverse("admin:privacy_datarequest_changelist")).content.decode()
    assert "asker@example.com" in page
    assert '<strong class="due-near">due in 5 days</strong>' in page
    assert '<strong class="due-overdue">⚠ overdue by 2 days</strong>' in page
    assert "due in 20 days" in page
    assert reverse("admin:privacy_dataexport_change", args=[export.pk]) in page
    change = client.get(reverse("admin:privacy_datarequest_change", args=[near.pk])).content.decode()
    assert "asker@example.com" in change
    assert client.get(reverse("admin:privacy_datarequest_change", args=[overdue.pk])).status_code == 200


def test_a_completed_request_is_locked(client):
    done = data_request(3, status="completed", notes="Sent the export.")
    client.force_login(member("Privacy officer"))
    url = reverse("admin:privacy_datarequest_change", args=[done.pk])
    page = client.get(url).content.decode()
    assert 'name="notes"' not in page
    assert 'name="_save"' not in page
    client.post(url, {"kind": "erasure", "status": "received", "notes": "Rewritten", "due_at_0": "2030-01-01"})
    done.refresh_from_db()
    assert (done.kind, done.status, done.notes) == ("export", "completed", "Sent the export.")
    assert client.post(reverse("admin:privacy_datarequest_delete", args=[done.pk]), {"post": "yes"}).status_code == 403
    assert DataRequest.objects.filter(pk=done.pk).exists()


# The admin home ----------------------------------------------------------------------------------------------------


def test_the_admin_home_lists_the_days_to_dos(client):
    review_in("pending")
    review_in("pending")
    review_in("published")
    data_request(5.5)
    data_request(-1.5)
    data_request(3, status="completed")
    data_request(25)
    client.force_login(StaffFactory(email="root@example.org"))
    page = client.get(reverse("admin:index")).content.decode()
    assert "2 reviews awaiting moderation" in page
    assert "1 data request due in 5 days" in page
    assert "<strong>⚠ 1 data request overdue by 1 day</strong>" in page
    todos = page[page.index('id="todos"') : page.index("</ul>", page.index('id="todos"'))]
    assert todos.count("data request") == 2  # the completed one and the one due in 25 days are no to-dos
    # Support may not moderate reviews or see data requests: no such to-dos for them.
    client.force_login(member("Support"))
    page = client.get(reverse("admin:index")).content.decode()
    assert "awaiting moderation" not in page
    assert "data request" not in page


def test_an_empty_day_says_so(client):
    client.force_login(StaffFactory(email="root@example.org"))
    assert "Nothing waiting for you." in client.get(reverse("admin:index")).content.decode()


# Celery beat and Sites ---------------------------------------------------------------------------------------------

PLUMBING = [
    "admin:django_celery_beat_periodictask_changelist",
    "admin:django_celery_beat_crontabschedule_changelist",
    "admin:sites_site_changelist",
]


def test_beat_and_sites_are_hidden_from_staff_groups_even_with_their_permissions(client):
    staff = member("Support")
    for app_label in ["django_celery_beat", "sites"]:
        staff.user_permissions.add(*Permission.objects.filter(content_type__app_label=app_label))
    client.force_login(staff)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Periodic tasks" not in index
    assert "Sites" not in index
    for name in PLUMBING:
        assert client.get(reverse(name)).status_code == 403, name
    client.force_login(StaffFactory(email="root@example.org"))
    index = client.get(reverse("admin:index")).content.decode()
    assert "Periodic tasks" in index
    for name in PLUMBING:
        assert client.get(reverse(name)).status_code == 200, name
