import pytest
from django.urls import reverse

from shop.models import Order
from tests.factories import UserFactory

from .conftest import add_to_cart, checkout_data

pytestmark = pytest.mark.django_db


def place(client, product, times=1):
    for _ in range(times):
        add_to_cart(client, product)
        client.post(reverse("shop:checkout"), checkout_data(client))


def test_order_history_lists_only_my_orders(shopper_client, shopper, product, client):
    place(shopper_client, product, times=2)
    other = UserFactory()
    mine = list(Order.objects.filter(user=shopper))
    assert len(mine) == 2

    html = shopper_client.get(reverse("shop:orders")).content.decode()
    for order in mine:
        assert order.number in html

    client.force_login(other)
    html = client.get(reverse("shop:orders")).content.decode()
    assert "You have no orders yet" in html
    assert client.get(mine[0].get_absolute_url()).status_code == 404
    assert client.get(reverse("shop:order_placed", args=[mine[0].number])).status_code == 404


def test_order_detail_shows_lines_totals_and_addresses(shopper_client, product):
    place(shopper_client, product)
    order = Order.objects.get()
    html = shopper_client.get(order.get_absolute_url()).content.decode()
    for text in ("Linen shirt", "Sand", "€55.40", "3 Rue Oberkampf", "9 Avenue Foch", "Visa ending 4242"):
        assert text in html
    assert "tok_test" not in html


def test_order_history_query_count_is_pinned(shopper_client, product, django_assert_max_num_queries):
    place(shopper_client, product, times=6)
    # session, user, count, page of orders (with item counts)
    with django_assert_max_num_queries(4):
        response = shopper_client.get(reverse("shop:orders"))
    assert response.content.decode().count("/shop/orders/SPC-") == 6


def test_order_detail_query_count_is_pinned(shopper_client, product, django_assert_max_num_queries):
    for _ in range(3):
        add_to_cart(shopper_client, product)
    shopper_client.post(reverse("shop:checkout"), checkout_data(shopper_client))
    order = Order.objects.get()
    with django_assert_max_num_queries(5):
        shopper_client.get(order.get_absolute_url())


def test_product_detail_query_count_does_not_grow_with_styles(client, django_assert_max_num_queries):
    from tests.factories import ProductFactory, ProductStyleFactory

    product = ProductFactory()
    for _ in range(15):
        ProductStyleFactory(product=product)
    with django_assert_max_num_queries(2):
        response = client.get(product.get_absolute_url())
    assert response.status_code == 200
