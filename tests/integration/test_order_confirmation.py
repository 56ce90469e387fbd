import uuid
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from demo import mailbox
from shop import services, tasks
from shop.cart import CartLine
from shop.models import OrderEmail
from tests.factories import AddressFactory, ProductFactory, UserFactory

from .conftest import wait_for


def place(user, address, product):
    return services.place_order(
        user=user,
        lines=[CartLine(key="k", product=product, style=None, quantity=2)],
        shipping_address=address,
        billing_address=address,
        carrier="dhl",
        payment_token="tok_test_visa_4242_integr01",
        expected_total=product.price * 2 + services.shipping_cost("dhl"),
        checkout_key=uuid.uuid4(),
    )


@pytest.fixture
def shopper_and_product(transactional_db):
    user = UserFactory(email="worker-order@example.com")
    return user, AddressFactory(user=user), ProductFactory(name="Merino crew neck", price=Decimal("89.00"))


@pytest.mark.django_db(transaction=True)
def test_a_committed_order_makes_the_worker_send_the_confirmation(celery_worker, shopper_and_product):
    user, address, product = shopper_and_product
    order = place(user, address, product)  # autocommit: the order commits, on_commit sends the task to Redis

    emails = wait_for(mailbox.list_emails)
    assert [e.to for e in emails] == ["worker-order@example.com"]
    assert order.number in emails[0].subject
    assert "Merino crew neck" in emails[0].text
    row = wait_for(lambda: OrderEmail.objects.filter(order=order, sent_at__isnull=False).first())
    assert row.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_broker_down_at_checkout_then_back_sends_exactly_one_confirmation(celery_worker, shopper_and_product):
    user, address, product = shopper_and_product
    with mock.patch.object(tasks.send_order_email, "delay", side_effect=OperationalError("Redis is down")):
        order = place(user, address, product)  # robust on_commit: the order stands although enqueueing failed
    row = OrderEmail.objects.get(order=order)
    assert row.sent_at is None

    OrderEmail.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert tasks.resend_unsent_order_emails.delay().id  # Redis is back: beat's task runs in the worker
    wait_for(lambda: OrderEmail.objects.filter(pk=row.pk, sent_at__isnull=False).exists())
    tasks.resend_unsent_order_emails.delay()  # a second beat tick finds nothing left to send
    tasks.send_order_email.delay(row.pk)  # and a stray duplicate task is a no-op
    wait_for(
        lambda: (
            b"send_order_email" in celery_worker.log.read_bytes()
            and celery_worker.log.read_bytes().count(b"succeeded") >= 4
        )
    )
    assert [e.to for e in mailbox.list_emails()] == ["worker-order@example.com"]
