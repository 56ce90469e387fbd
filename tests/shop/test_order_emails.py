from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy.models import Disclosure
from shop import services, tasks
from shop.models import Order, OrderEmail, Shipment
from tests.factories import StaffFactory

from .conftest import add_to_cart, checkout_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed_order(shopper_client, product):
    """An order placed with its confirmation not yet sent (the on-commit task never ran: broker down)."""
    add_to_cart(shopper_client, product)
    shopper_client.post(reverse("shop:checkout"), checkout_data(shopper_client))
    order = Order.objects.get()
    assert order.emails.get().sent_at is None
    return order


def test_running_the_task_twice_confirms_once(placed_order, mailoutbox):
    outbox = placed_order.emails.get()
    assert tasks.send_order_email(outbox.pk) is True
    assert tasks.send_order_email(outbox.pk) is False
    assert len(mailoutbox) == 1
    outbox.refresh_from_db()
    assert outbox.sent_at is not None
    assert outbox.attempts == 1


def test_the_confirmation_email_and_order_page_give_the_time_on_the_shops_clock(placed_order, mailoutbox, client):
    """Placed at 15:08 UTC on 3 November: a Paris shop's email and page say 16:08 (CET), in its one date format."""
    import datetime

    Order.objects.filter(pk=placed_order.pk).update(
        placed_at=datetime.datetime(2026, 11, 3, 15, 8, tzinfo=datetime.UTC)
    )
    tasks.send_order_email(placed_order.emails.get().pk)
    [mail] = mailoutbox
    assert "placed on 3 November 2026, 16:08." in mail.body
    assert "15:08" not in mail.body
    client.force_login(placed_order.user)
    assert "Placed on 3 November 2026, 16:08" in client.get(placed_order.get_absolute_url()).content.decode()


def test_failed_send_counts_an_attempt_and_leaves_the_row_unsent(placed_order, mailoutbox):
    outbox = placed_order.emails.get()
    with (
        mock.patch("shop.emails.send_transactional", side_effect=OSError("SMTP down")),
        pytest.raises(OSError, match="SMTP down"),
    ):
        services.deliver_order_email(outbox_id=outbox.pk)
    outbox.refresh_from_db()
    assert (outbox.sent_at, outbox.attempts, outbox.last_error) == (None, 1, "OSError")
    assert mailoutbox == []


def test_beat_resends_rows_unsent_after_ten_minutes_once(placed_order, mailoutbox):
    outbox = placed_order.emails.get()
    assert tasks.resend_unsent_order_emails() == 0  # too recent: the normal task may still be on its way
    OrderEmail.objects.filter(pk=outbox.pk).update(created_at=timezone.now() - timedelta(minutes=11))

    assert tasks.resend_unsent_order_emails() == 1
    assert tasks.resend_unsent_order_emails() == 0
    assert len(mailoutbox) == 1
    assert placed_order.number in mailoutbox[0].subject


def test_beat_schedule_is_registered():
    import datetime

    from config.celery import app

    [entry] = [e for e in app.conf.beat_schedule.values() if e["task"] == "shop.tasks.resend_unsent_order_emails"]
    assert entry["schedule"] == datetime.timedelta(minutes=5)


def test_staff_mark_an_order_shipped(placed_order, client, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(StaffFactory())
    url = reverse("admin:shop_order_ship", args=[placed_order.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"carrier": "ups", "tracking_number": "1Z999AA10123456784"})
    assert response.status_code == 302

    shipment = Shipment.objects.get()
    assert (shipment.carrier, shipment.tracking_number) == ("ups", "1Z999AA10123456784")
    placed_order.refresh_from_db()
    assert placed_order.status == "shipped"
    [disclosure] = Disclosure.objects.filter(recipient_kind="carrier")
    assert disclosure.recipient_name == "UPS"
    assert disclosure.data_categories == ["name", "shipping address", "email", "phone"]
    assert disclosure.reference == f"order:{placed_order.pk}"
    assert disclosure.user == placed_order.user
    [mail] = mailoutbox
    assert mail.to == ["ines@example.com"]
    assert mail.tags == ["shipping"]
    assert "1Z999AA10123456784" in mail.body

    page = client.get(reverse("admin:shop_order_change", args=[placed_order.pk])).content.decode()
    assert "delivery of the order to UPS" in page
    assert "payment authorisation to Test payment processor" in page


def test_the_shipping_email_and_order_page_link_the_carriers_tracking_page(
    placed_order, client, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(StaffFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:shop_order_ship", args=[placed_order.pk]),
            {"carrier": "ups", "tracking_number": "1Z999AA10123456784"},
        )
    url = "https://www.ups.com/track?loc=en_US&tracknum=1Z999AA10123456784"
    [mail] = mailoutbox
    assert f"Track it: {url}" in mail.body
    html = mail.alternatives[0][0]
    assert f'<a href="{url.replace("&", "&amp;")}"><strong>1Z999AA10123456784</strong></a>' in html
    client.force_login(placed_order.user)
    page = client.get(placed_order.get_absolute_url()).content.decode()
    assert f'<a href="{url.replace("&", "&amp;")}" rel="noreferrer">1Z999AA10123456784</a>' in page


def test_a_tracking_number_cannot_add_to_the_carriers_link(placed_order):
    """Staff type the tracking number; whatever they type stays one quoted value in the carrier's URL."""
    shipment = Shipment(order=placed_order, carrier="dhl", tracking_number='JD01&x=1"><script>')
    assert shipment.tracking_url.endswith("tracking-id=JD01%26x%3D1%22%3E%3Cscript%3E")
    assert Shipment(order=placed_order, carrier="post", tracking_number="X1").tracking_url == ""


def test_shipping_with_a_bad_or_reused_tracking_number_writes_nothing(placed_order, client):
    client.force_login(StaffFactory())
    url = reverse("admin:shop_order_ship", args=[placed_order.pk])
    for bad in ("", "X" * 41):
        response = client.post(url, {"carrier": "dhl", "tracking_number": bad})
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert not Shipment.objects.exists()
    assert not Disclosure.objects.filter(recipient_kind="carrier").exists()

    client.post(url, {"carrier": "dhl", "tracking_number": "JD0001"})
    response = client.post(url, {"carrier": "dhl", "tracking_number": "JD0001"})
    assert "already recorded" in response.content.decode()
    assert Shipment.objects.count() == 1
    assert Disclosure.objects.filter(recipient_kind="carrier").count() == 1


def test_shipping_email_reaches_a_shopper_opted_out_of_marketing(
    placed_order, mailoutbox, django_capture_on_commit_callbacks
):
    from subscriptions import services as subscriptions
    from subscriptions.models import Subscriber

    subscriber = Subscriber.objects.create(email=placed_order.email, user=placed_order.user)
    subscriptions.unsubscribe_all(subscriber=subscriber, method="preference_center")
    subscriptions.suppress_subscriber(subscriber=subscriber, reason="bounce")
    subscriptions.add_suppression(email=placed_order.email, reason="bounce")
    with django_capture_on_commit_callbacks(execute=True):
        services.ship_order(order=placed_order, carrier="dhl", tracking_number="JD0002")
    assert [m.tags for m in mailoutbox] == [["shipping"]]
