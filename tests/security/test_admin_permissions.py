"""Issue 12, item 4: custom admin views and admin actions checked only is_staff.

Attack: the Support user (no rights on announcements) sent a service announcement to every account through
/admin/subscriptions/serviceannouncement/1/send/; any staff could preview editions and send tests, and every action
(reviews publish/reject, unsubscribe/resubscribe/void links, edition schedule/cancel, brand/style publish, contest
draw) ran for anyone who could open the list. Here every custom admin URL and every custom action is tried as each
staff role: the Support group, the Privacy officer group, a staff member with no permissions, and the superuser.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from reviews.models import Review
from shop.models import Order
from subscriptions.models import Edition, ServiceAnnouncement, Subscriber
from tests.factories import ProductFactory, ReviewFactory, StaffFactory, SubscriberFactory, UserFactory

# Every URL a ModelAdmin adds to Django's own, with the permission it needs. A new custom view must be added here.
CUSTOM_URLS = {
    "subscriptions_edition_preview": "subscriptions.view_edition",
    "subscriptions_edition_preview_page": "subscriptions.view_edition",
    "subscriptions_edition_progress": "subscriptions.view_edition",
    "subscriptions_edition_progress_json": "subscriptions.view_edition",
    "subscriptions_edition_send_now": "subscriptions.change_edition",
    "reviews_review_moderate": "reviews.change_review",
    "subscriptions_edition_test": "subscriptions.change_edition",
    "subscriptions_serviceannouncement_send": "subscriptions.change_serviceannouncement",
    "shop_order_ship": "shop.change_order",
    "privacy_datarequest_guest": "privacy.run_erasure",  # tried with the erasure; export: tests/privacy
}
DJANGO_PERMISSIONS = {"add", "change", "delete", "view"}
ROLES = ["superuser", "Support", "Privacy officer", "no permissions"]


def staff(role: str):
    if role == "superuser":
        return StaffFactory(email="root@example.org")
    user = StaffFactory(email=f"{role.replace(' ', '-').lower()}@example.org", is_superuser=False)
    if role != "no permissions":
        user.groups.add(Group.objects.get(name=role))
    return user


def custom_admin_urls() -> set[str]:
    names = set()
    for model, model_admin in admin.site._registry.items():
        base = DjangoUserAdmin if isinstance(model_admin, DjangoUserAdmin) else ModelAdmin  # Django's own views
        django_own = {pattern.name for pattern in base(model, admin.site).get_urls()}
        names |= {pattern.name for pattern in model_admin.get_urls() if pattern.name not in django_own}
    return names


def test_the_table_covers_every_custom_admin_url():
    assert custom_admin_urls() == set(CUSTOM_URLS)


@pytest.fixture
def objects(topics):
    shopper = UserFactory(email="buyer@example.com")
    order = Order.objects.create(
        number="SPC-261129-ABCDEF",
        user=shopper,
        email=shopper.email,
        subtotal=Decimal("10.00"),
        shipping_cost=Decimal("5.00"),
        total=Decimal("15.00"),
        shipping_address={},
        billing_address={},
        carrier="dhl",
        payment_token="tok_test_visa_4242_nojs0001",
        payment_authorization="auth",
        checkout_key=uuid.uuid4(),
    )
    edition = Edition.objects.create(topic=topics["newsletter"], subject="Hi", body_text="Hi", body_html="<p>Hi</p>")
    announcement = ServiceAnnouncement.objects.create(subject="Terms", body_text="Our terms change.")
    review = ReviewFactory(product=ProductFactory(), status="pending", published_at=None)
    return {
        "subscriptions_edition_preview": edition.pk,
        "subscriptions_edition_preview_page": edition.pk,
        "subscriptions_edition_progress": edition.pk,
        "subscriptions_edition_progress_json": edition.pk,
        "subscriptions_edition_send_now": edition.pk,
        "reviews_review_moderate": (review.pk, "publish"),
        "subscriptions_edition_test": edition.pk,
        "subscriptions_serviceannouncement_send": announcement.pk,
        "shop_order_ship": order.pk,
        "privacy_datarequest_guest": "erasure",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_custom_admin_view_checks_its_permission(client, objects, role, mailoutbox):
    user = staff(role)
    client.force_login(user)
    for name, permission in CUSTOM_URLS.items():
        args = objects[name] if isinstance(objects[name], tuple) else [objects[name]]
        url = reverse(f"admin:{name}", args=args)
        post = {"confirm": "yes", "email": user.email, "carrier": "dhl", "tracking_number": "1Z999"}
        if user.has_perm(permission):
            # 404 / 405: the send-test and moderation views answer POST only
            assert client.get(url).status_code in (200, 404, 405), name
            continue
        assert client.get(url).status_code == 403, (role, name)
        assert client.post(url, post).status_code == 403, (role, name)
    if not user.is_superuser:
        assert ServiceAnnouncement.objects.get().status == "draft"
        assert Order.objects.get().status == "placed"
        assert Edition.objects.get().status == "draft"  # "Send now" did not send it
        assert Review.objects.get().status == "pending"  # the Publish button did not publish it
        assert mailoutbox == []


def declared_permissions(model_admin, action) -> list[str]:
    return list(getattr(action, "allowed_permissions", []))


OWN_APPS = {"accounts", "account", "privacy", "subscriptions", "shop", "reviews"}  # ours, and allauth's addresses


def custom_actions():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OWN_APPS:
            continue  # django_celery_beat's task actions: see docs/security.md
        for name in model_admin.actions or []:
            action = getattr(model_admin, name) if isinstance(name, str) else name
            yield model, model_admin, getattr(action, "__name__", name), action


def test_every_custom_admin_action_declares_the_permission_it_needs():
    undeclared = [
        f"{model.__name__}.{name}"
        for model, _, name, action in custom_actions()
        if not declared_permissions(None, action)
    ]
    assert undeclared == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_actions_are_offered_only_with_their_permission(role):
    user = staff(role)
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin, name, action in custom_actions():
        opts = model._meta
        needed = [
            f"{opts.app_label}.{p}_{opts.model_name}" if p in DJANGO_PERMISSIONS else f"{opts.app_label}.{p}"
            for p in declared_permissions(model_admin, action)
        ]
        offered = name in model_admin.get_actions(request)
        assert offered == all(user.has_perm(p) for p in needed), (role, opts.label, name, needed)
        if user.is_superuser:
            assert offered


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Support", "Privacy officer", "no permissions"])
def test_actions_posted_without_the_permission_change_nothing(client, topics, role):
    review = ReviewFactory(product=ProductFactory())
    subscriber = SubscriberFactory(email="reader@example.com")
    key = subscriber.secret_key
    client.force_login(staff(role))
    client.post(reverse("admin:reviews_review_changelist"), {"action": "publish", "_selected_action": [review.pk]})
    client.post(
        reverse("admin:subscriptions_subscriber_changelist"),
        {"action": "rotate_links", "_selected_action": [subscriber.pk]},
    )
    client.post(
        reverse("admin:subscriptions_subscriber_changelist"),
        {"action": "unsubscribe_from_all", "_selected_action": [subscriber.pk]},
    )
    assert Review.objects.get(pk=review.pk).status == review.status
    after = Subscriber.objects.get(pk=subscriber.pk)
    assert (after.secret_key, after.unsubscribed_all_at) == (key, None)
