"""A shopper buys a product end to end in Chromium: browse, cart, checkout with the test processor, confirmation."""

import re

import pytest

from shop.models import Order
from tests.factories import PASSWORD, AddressFactory, ProductFactory, ProductStyleFactory, UserFactory

CARD = "4242424242424242"


@pytest.mark.django_db(transaction=True)
def test_shopper_buys_a_product_with_the_test_processor(page, live_server, axe_check, mailoutbox):
    shopper = UserFactory(email="e2e-buyer@example.com", first_name="Noor")
    AddressFactory(user=shopper, full_name="Noor Haddad", line1="4 Canal Street")
    product = ProductFactory(name="Merino crew neck", price="89.00")
    ProductStyleFactory(product=product, name="Charcoal")
    ProductStyleFactory(product=product, name="Oat")

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(shopper.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In|Log in", re.I)).click()
    page.wait_for_url(re.compile(r"^(?!.*login).*$"))

    page.goto("/shop/")
    axe_check(page)
    page.get_by_role("link", name="Merino crew neck").click()
    axe_check(page)
    page.get_by_label("Style").select_option(label="Oat")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()

    page.wait_for_url("**/shop/cart/")
    assert "€178.00" in page.content()
    axe_check(page)
    page.get_by_role("link", name="Check out").click()

    page.wait_for_url("**/shop/checkout/")
    axe_check(page)
    assert page.locator("#test-tokens").is_hidden()  # JavaScript replaced the test tokens with the card form
    page.get_by_label("UPS").check()
    page.get_by_label("Card number").fill(CARD)
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("Security code").fill("123")
    posted = []
    page.on("request", lambda r: posted.append(r.post_data or "") if r.method == "POST" else None)
    page.get_by_role("button", name="Place order").click()

    page.wait_for_url("**/thank-you/")
    assert page.get_by_role("heading", name="Thank you, your order is placed").is_visible()
    axe_check(page)

    assert all(CARD not in body for body in posted)
    order = Order.objects.get()
    assert order.payment_token.startswith("tok_test_visa_4242_")
    assert (order.card_brand, order.card_last4, order.carrier) == ("Visa", "4242", "ups")
    assert order.number in page.content()
    assert [m.to for m in mailoutbox] == [["e2e-buyer@example.com"]]
    assert order.number in mailoutbox[0].subject
