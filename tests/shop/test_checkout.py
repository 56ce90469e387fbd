import re
import uuid
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from privacy.models import Disclosure
from shop.models import Order, OrderEmail, OrderLine
from tests.factories import AddressFactory, UserFactory

from .conftest import add_to_cart, checkout_data

pytestmark = pytest.mark.django_db

CARD = "4242 4242 4242 4242"


def nothing_written():
    return not Order.objects.exists() and not OrderLine.objects.exists() and not OrderEmail.objects.exists()


def test_checkout_places_the_order_and_emails_the_confirmation(
    post_committed, shopper_client, shopper, product, mailoutbox
):
    add_to_cart(shopper_client, product, quantity=2)
    response = post_committed(shopper_client, reverse("shop:checkout"), checkout_data(shopper_client, carrier="ups"))

    order = Order.objects.get()
    assert response.url == reverse("shop:order_placed", args=[order.number])
    page = shopper_client.get(response.url).content.decode()
    assert "Thank you, your order is placed" in page
    assert order.subtotal == Decimal("99.00")
    assert order.shipping_cost == Decimal("7.50")
    assert order.total == Decimal("106.50")
    assert order.carrier == "ups"
    assert (order.card_brand, order.card_last4) == ("Visa", "4242")
    assert order.payment_authorization.startswith("auth_test_")
    assert "3 Rue Oberkampf" in order.shipping_lines
    assert "9 Avenue Foch" in order.billing_lines
    line = order.lines.get()
    assert (line.product_name, line.style_name, line.quantity, line.line_total) == (
        "Linen shirt",
        "Sand",
        2,
        Decimal("99.00"),
    )
    assert shopper_client.session["shop_cart"] == {}

    outbox = OrderEmail.objects.get()
    assert outbox.kind == "confirmation"
    assert outbox.sent_at is not None
    [mail] = mailoutbox
    assert mail.to == ["ines@example.com"]
    assert order.number in mail.subject
    assert mail.tags == ["order"]
    html = mail.alternatives[0][0]
    for text in (mail.body, html):
        assert "Linen shirt" in text
        assert "106.50" in text
        assert "3 Rue Oberkampf" in text
        assert "9 Avenue Foch" in text

    [disclosure] = Disclosure.objects.filter(recipient_kind="payment_processor")
    assert disclosure.data_categories == ["payment token", "amount"]
    assert disclosure.reference == f"order:{order.pk}"
    assert disclosure.user == shopper


def test_confirmation_reaches_a_shopper_who_opted_out_of_all_marketing(
    post_committed, shopper_client, shopper, product, mailoutbox
):
    from subscriptions import services as subscriptions
    from subscriptions.models import Subscriber

    subscriber = Subscriber.objects.create(email=shopper.email, user=shopper)
    subscriptions.unsubscribe_all(subscriber=subscriber, method="preference_center")
    subscriptions.suppress_subscriber(subscriber=subscriber, reason="complaint")
    subscriptions.add_suppression(email=shopper.email, reason="complaint")
    assert subscriptions.suppression_reason(shopper.email) == "complaint"
    add_to_cart(shopper_client, product)
    post_committed(shopper_client, reverse("shop:checkout"), checkout_data(shopper_client))
    assert [m.to for m in mailoutbox] == [["ines@example.com"]]
    assert "List-Unsubscribe" not in mailoutbox[0].extra_headers


def test_double_clicked_place_order_places_one_order(post_committed, shopper_client, product, mailoutbox):
    add_to_cart(shopper_client, product)
    data = checkout_data(shopper_client)
    first = post_committed(shopper_client, reverse("shop:checkout"), data)
    second = post_committed(shopper_client, reverse("shop:checkout"), data)
    assert Order.objects.count() == 1
    assert first.url == second.url
    assert len(mailoutbox) == 1


def test_declined_card_writes_nothing(shopper_client, product, mailoutbox):
    add_to_cart(shopper_client, product)
    response = shopper_client.post(
        reverse("shop:checkout"), checkout_data(shopper_client, payment_token="tok_test_declined_nojs0003")
    )
    assert "Your card was declined" in response.content.decode()
    assert nothing_written()
    assert not Disclosure.objects.exists()
    assert mailoutbox == []
    assert shopper_client.session["shop_cart"]


def test_empty_cart_cannot_check_out(post_committed, shopper_client, product):
    add_to_cart(shopper_client, product)
    data = checkout_data(shopper_client)
    session = shopper_client.session
    session["shop_cart"] = {}
    session.save()
    response = post_committed(shopper_client, reverse("shop:checkout"), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("shop:cart")
    assert "Your cart is empty." in response.content.decode()
    assert "Prices in your cart changed" not in response.content.decode()
    assert nothing_written()


def test_price_changed_mid_checkout_writes_nothing(post_committed, shopper_client, product):
    add_to_cart(shopper_client, product)
    data = checkout_data(shopper_client)
    product.price = Decimal("59.00")
    product.save()
    response = post_committed(shopper_client, reverse("shop:checkout"), data, follow=True)
    assert "Prices in your cart changed" in response.content.decode()
    assert nothing_written()


def test_tampered_price_product_and_quantity_fields_are_ignored(post_committed, shopper_client, product):
    add_to_cart(shopper_client, product)
    data = checkout_data(shopper_client, price="0.01", product_id="999", quantity="-3", total="0.01")
    post_committed(shopper_client, reverse("shop:checkout"), data)
    order = Order.objects.get()
    assert order.subtotal == Decimal("49.50")
    assert order.lines.get().quantity == 1


def test_tampered_expected_subtotal_writes_nothing(shopper_client, product):
    add_to_cart(shopper_client, product)
    response = shopper_client.post(
        reverse("shop:checkout"), checkout_data(shopper_client, expected_subtotal="0.01"), follow=True
    )
    assert "Prices in your cart changed" in response.content.decode()
    assert nothing_written()


def test_another_users_address_is_refused(post_committed, shopper_client, product):
    stranger = AddressFactory(user=UserFactory(), line1="1 Stranger Street")
    add_to_cart(shopper_client, product)
    response = post_committed(
        shopper_client, reverse("shop:checkout"), checkout_data(shopper_client, shipping_address=stranger.pk)
    )
    assert "Please choose one of your addresses." in response.content.decode()
    assert nothing_written()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("carrier", "fedex", "Please choose DHL or UPS."),
        ("payment_token", "not-a-token", "The payment details were not accepted."),
        ("payment_token", "", "Please enter a card or choose a test card."),
        ("payment_token", "x" * 500, "at most 64 characters"),
        ("checkout_key", "xyz", "This checkout page was changed or has expired."),
        ("expected_subtotal", "-1e999", "This checkout page was changed or has expired."),
        ("card_last4", "12ab", "This checkout page was changed or has expired."),
        ("billing_address", "", "Choose the address on your card statement (the billing address)."),
    ],
)
def test_bad_fields_show_an_error_and_write_nothing(post_committed, shopper_client, product, field, value, message):
    add_to_cart(shopper_client, product)
    response = post_committed(shopper_client, reverse("shop:checkout"), checkout_data(shopper_client, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert nothing_written()


def all_text_values() -> list[str]:
    """Every string stored in every concrete model of the project."""
    values = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if fields:
            values.extend(str(v) for row in model.objects.values_list(*fields) for v in row)
    return values


def test_a_card_number_posted_in_every_field_is_never_stored(post_committed, shopper_client, product, mailoutbox):
    add_to_cart(shopper_client, product)
    data = checkout_data(shopper_client)
    poisoned = {name: CARD for name in data if name not in {"checkout_key"}}
    poisoned.update(card_number=CARD, number=CARD, cvc="123", checkout_key=data["checkout_key"])
    response = post_committed(shopper_client, reverse("shop:checkout"), poisoned)
    assert "looks like a card number" in response.content.decode()
    # and with valid fields plus a card number smuggled into the hidden brand/last4 fields
    response = post_committed(shopper_client, reverse("shop:checkout"), {**data, "card_brand": CARD.replace(" ", "")})
    assert "looks like a card number" in response.content.decode()
    assert nothing_written()
    # a real order afterwards, then prove no model anywhere holds the number
    post_committed(shopper_client, reverse("shop:checkout"), {**data, "card_number": "4242-4242-4242-4242"})
    assert Order.objects.count() == 0
    post_committed(shopper_client, reverse("shop:checkout"), data)
    assert Order.objects.count() == 1
    stored = " ".join(all_text_values())
    assert "4242424242424242" not in stored.replace(" ", "").replace("-", "")
    assert all("4242424242424242" not in m.body.replace(" ", "") for m in mailoutbox)


def test_checkout_requires_login(client, product):
    add_to_cart(client, product)
    response = client.get(reverse("shop:checkout"))
    assert response.status_code == 302
    assert "login" in response.url


def test_shopper_can_add_an_address_during_checkout(client, product):
    user = UserFactory()
    client.force_login(user)
    add_to_cart(client, product)
    assert "<legend>Delivery address</legend>" in client.get(reverse("shop:checkout")).content.decode()
    response = client.post(
        reverse("shop:checkout_address"),
        {
            "kind": "shipping",
            "full_name": "Sam Roy",
            "line1": "5 Quai",
            "city": "Lyon",
            "postal_code": "69001",
            "country": "FR",
        },
    )
    assert response.url == reverse("shop:checkout")
    assert "5 Quai" in client.get(reverse("shop:checkout")).content.decode()


def test_address_with_a_card_number_or_overlong_field_is_refused(shopper_client, shopper):
    before = shopper.addresses.count()
    for data in (
        {"kind": "shipping", "full_name": CARD, "line1": "x", "city": "Lyon", "postal_code": "1", "country": "FR"},
        {"kind": "shipping", "full_name": "A" * 500, "line1": "x", "city": "Lyon", "postal_code": "1", "country": "FR"},
    ):
        response = shopper_client.post(reverse("shop:checkout_address"), data)
        assert response.status_code == 200
        assert 'class="errorlist' in response.content.decode()
    assert shopper.addresses.count() == before


@pytest.mark.django_db
def test_a_checkout_is_recorded_in_the_access_log(shopper_client, shopper, product):
    from privacy.models import AccessLog

    add_to_cart(shopper_client, product)
    shopper_client.post(reverse("shop:checkout"), checkout_data(shopper_client), REMOTE_ADDR="198.51.100.4")
    row = AccessLog.objects.get(event="checkout")
    assert (row.user_id, row.ip, row.ip_prefix) == (shopper.pk, "198.51.100.4", "198.51.100.0/24")


def _inline_address_checkout(client, **overrides):
    """A shopper with an empty address book types the delivery address in the checkout form itself."""
    html = client.get(reverse("shop:checkout")).content.decode()
    data = {
        "carrier": "dhl",
        "payment_token": "tok_test_visa_4242_nojs0001",
        "expected_subtotal": re.search(r'name="expected_subtotal" value="([^"]+)"', html).group(1),
        "checkout_key": re.search(r'name="checkout_key" value="([^"]+)"', html).group(1),
        "address-full_name": "Sam Roy",
        "address-line1": "5 Quai Saint-Vincent",
        "address-city": "Lyon",
        "address-postal_code": "69001",
        "address-country": "FR",
    }
    data.update(overrides)
    return data


def test_an_address_typed_at_checkout_stays_in_the_book_when_the_card_is_declined(client, product, post_committed):
    user = UserFactory()
    client.force_login(user)
    add_to_cart(client, product)
    data = _inline_address_checkout(client, payment_token="tok_test_declined_nojs0003")
    page = client.post(reverse("shop:checkout"), data).content.decode()
    assert "Your card was declined" in page
    assert nothing_written()
    [address] = user.addresses.all()
    assert address.line1 == "5 Quai Saint-Vincent"
    assert re.search(rf'name="shipping_address" value="{address.pk}"[^>]*checked', page)  # now a choice
    retry = {**checkout_data(client), "shipping_address": address.pk, "billing_address": address.pk}
    post_committed(client, reverse("shop:checkout"), retry)
    assert "5 Quai Saint-Vincent" in Order.objects.get().shipping_lines
    assert user.addresses.count() == 1


@pytest.mark.parametrize("stale", [{"expected_subtotal": "0.01"}, {"checkout_key": str(uuid.uuid4())}])
def test_a_stale_checkout_page_saves_no_typed_address(client, product, stale):
    user = UserFactory()
    client.force_login(user)
    add_to_cart(client, product)
    response = client.post(reverse("shop:checkout"), _inline_address_checkout(client, **stale), follow=True)
    assert response.redirect_chain[-1][0] == reverse("shop:checkout")
    assert not user.addresses.exists()
    assert nothing_written()
