from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import ProductFactory

from .conftest import add_to_cart

pytestmark = pytest.mark.django_db


def cart_html(client) -> str:
    return client.get(reverse("shop:cart")).content.decode()


def test_add_change_and_remove_items(client, product):
    add_to_cart(client, product, quantity=2)
    html = cart_html(client)
    assert "Linen shirt" in html
    assert "Sand" in html
    assert "€99.00" in html

    key = next(iter(client.session["shop_cart"]))
    client.post(reverse("shop:cart_update"), {"key": key, "quantity": "3"})
    assert "€148.50" in cart_html(client)

    client.post(reverse("shop:cart_update"), {"key": key, "remove": "1"})
    assert "Your cart is empty" in cart_html(client)


def test_prices_are_always_read_from_the_database(client, product):
    add_to_cart(client, product)
    product.price = Decimal("10.00")
    product.save()
    html = cart_html(client)
    assert "€10.00" in html
    assert "49.50" not in html


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("-1", "The quantity must be at least 1."),
        ("0", "The quantity must be at least 1."),
        ("abc", "Please enter a whole number for the quantity."),
        ("", "Please enter a whole number for the quantity."),
        ("1.5", "Please enter a whole number for the quantity."),
        ("21", "You can order at most 20 of one item."),
        ("99999999999999999999999", "You can order at most 20 of one item."),
    ],
)
def test_bad_quantities_are_refused_with_a_message(client, product, quantity, message):
    response = add_to_cart(client, product, quantity=quantity)
    assert response.status_code == 302
    assert client.session.get("shop_cart", {}) == {}
    assert message in client.get(response.url).content.decode()


def test_bad_quantity_on_update_keeps_the_old_one(client, product):
    add_to_cart(client, product, quantity=2)
    key = next(iter(client.session["shop_cart"]))
    response = client.post(reverse("shop:cart_update"), {"key": key, "quantity": "-5"}, follow=True)
    assert "at least 1" in response.content.decode()
    assert client.session["shop_cart"][key] == 2


@pytest.mark.parametrize("product_id", ["999999", "99999999999999999999999999", "abc", "", "-1", "1 OR 1=1"])
def test_unknown_products_are_refused(client, product_id):
    response = client.post(reverse("shop:cart_add"), {"product_id": product_id, "quantity": "1"}, follow=True)
    assert response.status_code == 200
    assert "That product does not exist." in response.content.decode()
    assert client.session.get("shop_cart", {}) == {}


def test_unpublished_product_or_foreign_style_cannot_be_added(client, product):
    hidden = ProductFactory(is_published=False)
    other = ProductFactory()
    other_style = other.styles.create(name="Red", is_published=True)
    client.post(reverse("shop:cart_add"), {"product_id": hidden.pk, "quantity": "1"})
    response = client.post(
        reverse("shop:cart_add"), {"product_id": product.pk, "style_id": other_style.pk, "quantity": "1"}, follow=True
    )
    assert "That style does not exist." in response.content.decode()
    assert client.session.get("shop_cart", {}) == {}


def test_product_unpublished_after_adding_drops_out_of_the_cart(client, product):
    add_to_cart(client, product)
    product.is_published = False
    product.save()
    assert "Your cart is empty" in cart_html(client)


def test_tampered_session_keys_do_not_break_the_cart(client, product):
    session = client.session
    session["shop_cart"] = {"x:y": 3, f"{product.pk}:0": -4, "1:2:3": 1, f"{product.pk}:999": 1}
    session.save()
    assert client.get(reverse("shop:cart")).status_code == 200
