"""Redis (broker and cache) down: the shop keeps working, and what was queued goes out once Redis is back.

A redis-server of the test's own is stopped and started; the shared one is never touched.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.forms import shop_today
from demo import mailbox
from outbox.models import OutboxTask
from outbox.services import relay
from shop.models import Order, OrderEmail
from shop.tasks import resend_unsent_order_emails
from subscriptions.models import Subscriber, Subscription
from subscriptions.tokens import Purpose, make_token
from tests.factories import SubscriberFactory, SubscriptionFactory, age_answer, launch_topics
from tests.shop.conftest import add_to_cart, checkout_data

from .conftest import wait_for


@pytest.fixture
def redis_url(private_redis):
    return private_redis.url  # the worker uses the private Redis too


def redis_is_broker() -> bool:
    from config.celery import app

    return app.conf.broker_url.startswith("redis")


def received(address: str) -> list:
    return [e for e in mailbox.list_emails(limit=500) if e.to == address]


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_shop_works_and_everything_queued_is_delivered_once_it_is_back(
    celery_worker, private_redis, settings, mailoutbox
):
    from tests.factories import AddressFactory, ProductFactory, ProductStyleFactory, UserFactory

    topics = launch_topics()
    reader = SubscriberFactory(email="reader@example.com")
    SubscriptionFactory(subscriber=reader, topic=topics["newsletter"], frequency="twice_weekly")
    SubscriptionFactory(subscriber=reader, topic=topics["contests"], frequency="weekly")
    shopper = UserFactory(email="buyer@example.com")
    AddressFactory(user=shopper)
    product = ProductFactory(name="Linen shirt")
    ProductStyleFactory(product=product, name="Sand")

    private_redis.stop()

    # Signup through the age screen, then the emailed confirmation link (allauth's rate limits use the cache).
    visitor = Client(raise_request_exception=False)
    dob = shop_today().replace(year=1990).isoformat()
    assert visitor.post(reverse("accounts:age_screen"), age_answer(dob)).status_code == 302
    signup = visitor.post(
        reverse("account_signup"),
        {
            "first_name": "Lou",
            "last_name": "Reed",
            "email": "lou@example.com",
            "password1": "a-long-passphrase-77",
            "password2": "a-long-passphrase-77",
            "country": "FR",
        },
    )
    assert signup.status_code == 302, signup.content[:500]
    [confirmation] = mailoutbox  # allauth's email is sent in the request (the test process's outbox)
    assert confirmation.to == ["lou@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", confirmation.body).group(1)
    assert visitor.post(link).status_code == 302

    # A guest subscribes (the confirmation email is a task: it waits in the outbox).
    guest = Client(raise_request_exception=False)
    response = guest.post(reverse("subscriptions:subscribe"), {"email": "guest@example.com", "topics": ["newsletter"]})
    assert response.status_code == 302
    assert Subscriber.objects.filter(email="guest@example.com").exists()

    # One-click unsubscribe and a preference change, by emailed links.
    unsubscribe = make_token(reader, purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])
    one_click = Client(raise_request_exception=False).post(
        reverse("subscriptions:unsubscribe", args=[unsubscribe]), {"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    preferences = reverse("subscriptions:preferences_token", args=[make_token(reader, purpose=Purpose.PREFERENCES)])
    change = guest.post(
        preferences,
        {
            "action": "topics",
            "topic-newsletter": "off",
            "topic-new-brands-and-styles": "off",
            "topic-contests": "monthly",
        },
    )
    assert change.status_code in {200, 302}
    assert dict(Subscription.objects.filter(subscriber=reader).values_list("topic__slug", "state")) == {
        "newsletter": "unsubscribed",
        "contests": "active",
    }
    assert Subscription.objects.get(subscriber=reader, topic__slug="contests").frequency == "monthly"

    # Checkout: the order stands, its confirmation waits in the shop's order-email outbox.
    buyer = Client(raise_request_exception=False)
    buyer.force_login(shopper)
    add_to_cart(buyer, product)
    placed = buyer.post(reverse("shop:checkout"), checkout_data(buyer))
    assert placed.status_code == 302
    assert "/orders/" in placed["Location"] or "placed" in placed["Location"]
    order = Order.objects.get(user=shopper)

    if redis_is_broker():
        # Nothing left the building except what is sent inside a request; the rest is written down, not lost.
        assert received("guest@example.com") == []
        assert received("buyer@example.com") == []
        assert set(OutboxTask.objects.filter(published_at=None).values_list("task", flat=True)) == {
            "subscriptions.tasks.send_subscribe_confirmation",
            "accounts.tasks.send_welcome_email",
        }
        assert OrderEmail.objects.get(order=order).sent_at is None

        # Redis is back: beat's relays run (the outbox's and the shop's), the worker reconnects and sends.
        private_redis.start()
        settings.OUTBOX_RELAY_AFTER_SECONDS = 0
        OrderEmail.objects.filter(order=order).update(created_at=timezone.now() - timedelta(minutes=11))
        assert relay() == 2
        resend_unsent_order_emails.delay()
    # (With RabbitMQ as the broker only the cache was down: the tasks went straight to the worker.)
    wait_for(
        lambda: received("guest@example.com") and received("buyer@example.com") and received("lou@example.com"),
        timeout=60,
    )
    if not redis_is_broker():
        private_redis.start()
        settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    assert relay() == 0  # a beat tick finds nothing left
    resend_unsent_order_emails.delay()
    resends = 2 if redis_is_broker() else 1  # each is logged when received and when done
    wait_for(lambda: celery_worker.log.read_bytes().count(b"resend_unsent_order_emails") >= 2 * resends, timeout=30)
    wait_for(lambda: OrderEmail.objects.get(order=order).sent_at is not None)
    assert len(received("guest@example.com")) == 1
    assert "confirm" in received("guest@example.com")[0].subject.lower()
    assert [e.subject for e in received("buyer@example.com")] == [received("buyer@example.com")[0].subject]
    assert order.number in received("buyer@example.com")[0].subject
    [welcome] = received("lou@example.com")  # from the worker, once the address was confirmed
    assert "Welcome" in welcome.subject
    assert len(mailoutbox) == 1
    assert received("reader@example.com") == []
