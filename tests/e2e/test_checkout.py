"""A shopper buys a product end to end in Chromium: browse, cart, checkout with the test processor, confirmation."""

import re

import pytest

from shop.models import Order
from tests.factories import PASSWORD, AddressFactory, ProductFactory, ProductStyleFactory, StaffFactory, UserFactory

CARD = "4242424242424242"


@pytest.mark.django_db(transaction=True)
def test_shopper_buys_a_product_with_the_test_processor(page, live_server, axe_check, demo_mode):
    shopper = UserFactory(email="e2e-buyer@example.com", first_name="Noor")
    AddressFactory(user=shopper, full_name="Noor Haddad", line1="4 Canal Street")
    product = ProductFactory(name="Merino crew neck", price="89.00")
    ProductStyleFactory(product=product, name="Charcoal")
    ProductStyleFactory(product=product, name="Oat")

    log_in(page, shopper.email)

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

    # The confirmation is in the demo mailbox, where staff can read it.
    staff = StaffFactory(email="e2e-staff@example.com")
    staff_page = page.context.browser.new_context(base_url=live_server.url).new_page()
    log_in(staff_page, staff.email)
    staff_page.goto("/demo/mailbox/")
    staff_page.get_by_role("link", name=re.compile(order.number)).click()
    assert "Merino crew neck" in staff_page.content()
    assert "e2e-buyer@example.com" in staff_page.content()
    staff_page.context.close()


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In|Log in", re.I)).click()
    page.wait_for_url(re.compile(r"^(?!.*login).*$"))


@pytest.mark.django_db(transaction=True)
def test_checkout_works_without_javascript(browser, live_server, settings):
    # No axe_check here: axe runs as page JavaScript. The same templates are axe-checked in the test above.
    settings.SITE_URL = settings.SUBSCRIPTIONS_SITE_URL = live_server.url
    shopper = UserFactory(email="nojs-buyer@example.com")
    AddressFactory(user=shopper)
    product = ProductFactory(name="Card holder", price="35.00")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, shopper.email)
    page.goto(product.get_absolute_url())
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/shop/checkout/")
    assert page.get_by_label("Card number").is_hidden()

    page.get_by_label("Declined card (test)").check()
    page.get_by_role("button", name="Place order").click()
    assert page.get_by_text("Your card was declined").is_visible()
    assert not Order.objects.exists()

    page.get_by_label("Visa ending 4242 (test)").check()
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/thank-you/")
    assert Order.objects.get().card_last4 == "4242"
    context.close()
