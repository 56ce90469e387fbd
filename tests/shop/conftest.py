import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Address
from tests.factories import AddressFactory, ProductFactory, ProductStyleFactory, UserFactory


@pytest.fixture
def shopper(db):
    user = UserFactory(email="ines@example.com", first_name="Ines", last_name="Laurent", phone="+33612345678")
    AddressFactory(user=user, kind=Address.Kind.SHIPPING, full_name="Ines Laurent", line1="3 Rue Oberkampf")
    AddressFactory(user=user, kind=Address.Kind.BILLING, full_name="Ines Laurent", line1="9 Avenue Foch")
    return user


@pytest.fixture
def product(db):
    product = ProductFactory(name="Linen shirt", price=Decimal("49.50"))
    ProductStyleFactory(product=product, name="Sand")
    return product


def add_to_cart(client, product, quantity=1):
    style = product.styles.filter(is_published=True).first()
    return client.post(
        reverse("shop:cart_add"),
        {"product_id": product.pk, "style_id": style.pk if style else "", "quantity": quantity},
    )


def checkout_data(client, **overrides):
    """Open the checkout page and return the POST data its form would submit (the no-JavaScript Visa token)."""
    html = client.get(reverse("shop:checkout")).content.decode()
    key = re.search(r'name="checkout_key" value="([^"]+)"', html).group(1)
    subtotal = re.search(r'name="expected_subtotal" value="([^"]+)"', html).group(1)
    ship = re.search(r'name="shipping_address" value="(\d+)"[^>]*checked', html).group(1)
    bill = re.search(r'name="billing_address" value="(\d+)"[^>]*checked', html).group(1)
    data = {
        "shipping_address": ship,
        "billing_address": bill,
        "carrier": "dhl",
        "payment_token": "tok_test_visa_4242_nojs0001",
        "expected_subtotal": subtotal,
        "checkout_key": key,
    }
    data.update(overrides)
    return data


@pytest.fixture
def shopper_client(client, shopper):
    client.force_login(shopper)
    return client


@pytest.fixture
def post_committed(django_capture_on_commit_callbacks):
    """POST and run the on-commit callbacks (the order email task), as a real request's commit would."""

    def post(client, url, data, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, **kwargs)

    return post
