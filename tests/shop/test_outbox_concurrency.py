"""Two workers delivering the same outbox row at the same moment send one confirmation: the second waits for the
first's row lock, then sees the row already sent."""

import threading
import time
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, connections

from shop import emails, services
from shop.cart import CartLine
from shop.models import OrderEmail
from tests.factories import AddressFactory, ProductFactory, UserFactory


def a_backend_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met")
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_send_one_confirmation(mailoutbox):
    user = UserFactory()
    address = AddressFactory(user=user)
    product = ProductFactory(price=Decimal("10.00"))
    with mock.patch("shop.services.outbox.enqueue_order_email"):  # no task: we play the two workers
        order = services.place_order(
            user=user,
            lines=[CartLine(key="k", product=product, style=None, quantity=1)],
            shipping_address=address,
            billing_address=address,
            carrier="dhl",
            payment_token="tok_test_visa_4242_concur01",
            expected_total=Decimal("15.90"),
            checkout_key=uuid.uuid4(),
        )
    outbox_id = OrderEmail.objects.get(order=order).pk

    entered, release = threading.Event(), threading.Event()
    real_send = emails.send_order_confirmation
    results = {}

    def slow_send(order):
        entered.set()
        release.wait(10)
        real_send(order)

    def worker(name):
        try:
            results[name] = services.deliver_order_email(outbox_id=outbox_id).reason or "sent"
        finally:
            connections.close_all()

    with mock.patch("shop.emails.send_order_confirmation", side_effect=slow_send):
        first = threading.Thread(target=worker, args=("first",))
        first.start()
        assert entered.wait(10)
        second = threading.Thread(target=worker, args=("second",))
        second.start()
        wait_until(a_backend_waits_for_a_lock)  # the second worker is blocked on the first one's row lock
        release.set()
        first.join(10)
        second.join(10)

    assert results == {"first": "sent", "second": "already sent"}
    assert len(mailoutbox) == 1
