import pytest
from django.urls import reverse

from shop.models import Order
from tests.factories import AddressFactory, UserFactory

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
    # session, user, the user's privacy settings (cookie choice), count, page of orders (with item counts)
    with django_assert_max_num_queries(5):
        response = shopper_client.get(reverse("shop:orders"))
    assert response.content.decode().count("/shop/orders/SPC-") == 6


def test_order_detail_query_count_is_pinned(shopper_client, product, django_assert_max_num_queries):
    for _ in range(3):
        add_to_cart(shopper_client, product)
    shopper_client.post(reverse("shop:checkout"), checkout_data(shopper_client))
    order = Order.objects.get()
    with django_assert_max_num_queries(6):  # includes the privacy settings read for the signed-in shopper
        shopper_client.get(order.get_absolute_url())


def test_product_detail_query_count_does_not_grow_with_styles(client, django_assert_max_num_queries, monkeypatch):
    from shop import registry
    from tests.factories import ProductFactory, ProductStyleFactory

    monkeypatch.setattr(registry, "_product_panels", [])  # the shop's own cost; reviews pins its panel's

    product = ProductFactory()
    for _ in range(15):
        ProductStyleFactory(product=product)
    with django_assert_max_num_queries(2):
        response = client.get(product.get_absolute_url())
    assert response.status_code == 200


def test_privacy_data_sections_show_orders_without_payment_tokens(shopper_client, shopper, product):
    from shop import selectors

    place(shopper_client, product)
    [row] = selectors.orders_data_section(shopper)
    assert row["Order"] == Order.objects.get().number
    assert row["Paid with"] == "Visa ending 4242"
    assert "3 Rue Oberkampf" in row["Shipping address"]
    assert "tok_" not in str(row)
    assert selectors.support_data_section(shopper) == []


@pytest.mark.django_db
def test_the_privacy_dashboard_lists_the_shoppers_own_orders(shopper_client, shopper, product):
    from django.test import Client

    place(shopper_client, product)
    mine = Order.objects.get(user=shopper)
    other = UserFactory()
    AddressFactory(user=other)
    other_client = Client()
    other_client.force_login(other)
    place(other_client, product)
    theirs = Order.objects.get(user=other)
    page = shopper_client.get(reverse("privacy:dashboard")).content.decode()
    assert "Your orders" in page
    assert mine.number in page
    assert theirs.number not in page


@pytest.mark.django_db
def test_the_ad_feed_carries_coarse_purchase_categories_and_nothing_identifying(shopper_client, shopper, product):
    import csv
    import io

    from privacy.models import Disclosure
    from privacy.services import ad_partner_hash, export_ad_partner_feed, set_ad_sharing

    set_ad_sharing(user=shopper, share=True)
    place(shopper_client, product)
    out = io.StringIO()
    export_ad_partner_feed(out=out, reference="ad-feed:test")
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["email_sha256", "purchase_categories"]
    assert [ad_partner_hash(shopper.email), product.category.name] in rows[1:]
    text = out.getvalue()
    for clear in [shopper.email, shopper.first_name, shopper.last_name, "Rue"]:
        assert clear not in text
    disclosure = Disclosure.objects.get(user=shopper, reference="ad-feed:test")
    assert "purchase categories (coarse)" in disclosure.data_categories
