"""Issue 12, item 16: two checkouts from one cart in two tabs at the same moment placed two paid orders.

Attack (or accident): open the checkout page in two tabs, submit both at once. Each tab's page used to carry its own
checkout key, so both passed the "already placed?" check and both orders were written and paid. The checkout key
now belongs to the cart: both tabs carry the same one, and an order is unique per (shopper, key).
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from shop.models import Order
from tests.shop.conftest import add_to_cart, checkout_data


@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_the_same_moment_place_one_order(shopper, product, simultaneously):
    browser = Client()
    browser.force_login(shopper)
    add_to_cart(browser, product, quantity=2)
    tab_one, tab_two = checkout_data(browser), checkout_data(browser)  # two tabs open the checkout page

    def submit(data):
        def post():
            tab = Client()
            tab.cookies = browser.cookies  # the same browser session
            return tab.post(reverse("shop:checkout"), data)

        return post

    first, second = simultaneously(
        lambda: get_user_model().objects.select_for_update().get(pk=shopper.pk), submit(tab_one), submit(tab_two)
    )

    [order] = Order.objects.filter(user=shopper)  # one order, one payment
    placed = reverse("shop:order_placed", args=[order.number])
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"] == placed
    assert order.lines.get().quantity == 2


@pytest.mark.django_db
def test_a_checkout_page_from_an_earlier_cart_places_nothing(shopper_client, product):
    add_to_cart(shopper_client, product)
    stale = checkout_data(shopper_client)
    shopper_client.post(reverse("shop:checkout"), stale)
    add_to_cart(shopper_client, product)  # a new cart
    forged = {**checkout_data(shopper_client), "checkout_key": "3f1c1f1e-2b1a-4c59-9c1e-6a7d2f0d9b11"}
    response = shopper_client.post(reverse("shop:checkout"), forged, follow=True)
    assert "This checkout page was changed or has expired" in response.content.decode()
    assert Order.objects.count() == 1
