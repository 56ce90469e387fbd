"""PostgreSQL restarted under the shop: checkout says "try again" and writes nothing, a mailing resumes by itself.

Each test runs against a PostgreSQL cluster of its own (initdb + pg_ctl on a free port); the shared one is never
restarted.
"""

import signal
from collections import Counter
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from demo import mailbox
from privacy.models import Disclosure
from shop import payments
from shop.models import Order, OrderEmail, OrderLine
from subscriptions import mailing
from subscriptions.models import Delivery, Edition, Subscriber, Subscription
from tests.factories import AddressFactory, ProductFactory, ProductStyleFactory, UserFactory, launch_topics
from tests.shop.conftest import add_to_cart, checkout_data

from .conftest import wait_for
from .test_mailing_worker import scheduled_edition


@pytest.mark.django_db(transaction=True)
def test_postgres_restarting_during_checkout_shows_try_again_writes_nothing_and_the_retry_places_one_order(
    private_postgres,
):
    shopper = UserFactory(email="restart-buyer@example.com")
    AddressFactory(user=shopper)
    product = ProductFactory(name="Wool scarf", price=Decimal("35.00"))
    ProductStyleFactory(product=product, name="Grey")
    buyer = Client(raise_request_exception=False)
    buyer.force_login(shopper)
    add_to_cart(buyer, product, quantity=2)
    form = checkout_data(buyer)

    authorize = payments.TestProcessor.authorize

    def authorize_then_restart(self, **kwargs):
        result = authorize(self, **kwargs)
        private_postgres.restart()  # the order's transaction is open: the restart cuts it
        return result

    with mock.patch.object(payments.TestProcessor, "authorize", authorize_then_restart):
        failed = buyer.post(reverse("shop:checkout"), form)

    assert failed.status_code == 503
    assert failed["Retry-After"] == "5"
    page = failed.content.decode()
    assert "Please try again" in page
    assert "Nothing was saved and no order" in page
    assert "restart-buyer@example.com" not in page
    assert Order.objects.count() == 0  # nothing half-written
    assert OrderLine.objects.count() == 0
    assert OrderEmail.objects.count() == 0
    assert Disclosure.objects.count() == 0

    retried = buyer.post(reverse("shop:checkout"), form)  # the shopper sends the same form again
    assert retried.status_code == 302
    order = Order.objects.get()
    assert retried["Location"] == reverse("shop:order_placed", kwargs={"number": order.number})
    assert order.lines.get().quantity == 2
    assert OrderEmail.objects.filter(order=order).count() == 1
    assert buyer.post(reverse("shop:checkout"), form).status_code == 302  # and once more: still one order
    assert Order.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_postgres_restarting_while_an_edition_sends_resumes_by_itself_and_mails_everyone_once(
    private_postgres, worker_factory, capsys, settings
):
    newsletter = launch_topics()["newsletter"]
    count = 1000
    subscribers = Subscriber.objects.bulk_create(
        [Subscriber(email=f"pg{i:05d}@example.com", confirmed_at=timezone.now()) for i in range(count)]
    )
    Subscription.objects.bulk_create(
        [Subscription(subscriber=s, topic=newsletter, frequency="twice_weekly", state="active") for s in subscribers]
    )
    worker_factory.env.update(
        SUBSCRIPTIONS_SEND_BATCH_SIZE="100", SUBSCRIPTIONS_SEND_CHUNK="20", SUBSCRIPTIONS_SEND_LEASE_SECONDS="3"
    )
    settings.SUBSCRIPTIONS_SEND_BATCH_SIZE = 100  # the planner enqueues one batch task per 100 rows
    edition = scheduled_edition(newsletter)
    worker_factory.start()
    mailing.plan_edition(edition_id=edition.pk)

    directory = mailbox.settings.MAILBOX_DIR
    wait_for(lambda: len(list(directory.glob("*.eml"))) >= 200, timeout=60, interval=0.01)
    private_postgres.restart()  # mid-edition; the worker keeps running
    connection.close()  # this test's own session was cut too (a web process does this between requests)
    at_restart = len(list(directory.glob("*.eml")))
    assert at_restart < count

    # No sweeper, no beat, nobody restarts anything: the interrupted batch retries itself.
    wait_for(lambda: Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT, timeout=120)

    emails = mailbox.list_emails(limit=10 * count)
    per_recipient = Counter(e.to for e in {e.message["Message-ID"]: e for e in emails}.values())
    raw = Counter(e.to for e in emails)
    log = worker_factory.log.read_text(errors="replace")
    with capsys.disabled():
        print(
            f"\n  PostgreSQL restarted after {at_restart} messages; retries: {log.count('Retry in')}; "
            f"raw resends of an identical Message-ID: {sum(raw.values()) - count}"
        )
    assert set(per_recipient) == {s.email for s in subscribers}  # nobody lost
    assert set(per_recipient.values()) == {1}  # one distinct message each
    assert sum(raw.values()) - count <= 20  # at most the one chunk in flight, with the same Message-ID
    assert Delivery.objects.filter(edition=edition, status="sent").count() == count
    worker_factory.kill(signal.SIGTERM)
