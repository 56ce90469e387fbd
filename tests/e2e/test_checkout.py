"""A shopper buys a product end to end in Chromium: browse, cart, checkout with the test processor, confirmation."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from shop.models import Order
from tests.e2e.sign_in import log_in
from tests.factories import (
    AddressFactory,
    ProductFactory,
    ProductStyleFactory,
    StaffFactory,
    UserFactory,
)

CARD = "4242424242424242"
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"


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
    assert page.locator("#payment").get_by_text("Your card was declined").is_visible()
    assert not Order.objects.exists()

    page.get_by_label("Visa ending 4242 (test)").check()
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/thank-you/")
    assert Order.objects.get().card_last4 == "4242"
    context.close()


def screenshot(page, name: str) -> None:
    """Saved for the CI artifacts (var/screenshots/), at the page's current width."""
    width = page.viewport_size["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_the_summary_shows_lines_shipping_and_total_and_follows_the_carrier(browser, live_server, width, settings):
    settings.SITE_URL = live_server.url
    shopper = UserFactory(email=f"summary-{width}@example.com")
    AddressFactory(user=shopper)
    product = ProductFactory(name="Merino crew neck", price=Decimal("89.00"))
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, shopper.email)
    page.goto(product.get_absolute_url())
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/shop/checkout/")

    summary = page.get_by_role("region", name="Order summary")
    expect(summary).to_contain_text("2 × Merino crew neck")  # noqa: RUF001
    expect(summary.get_by_role("row", name="Subtotal")).to_contain_text("€178.00")
    expect(summary.get_by_role("row", name="Shipping (DHL)")).to_contain_text("€5.90")
    expect(summary.get_by_role("row", name=re.compile("^Total"))).to_contain_text("€183.90")
    screenshot(page, "checkout")

    page.get_by_label("UPS").check()  # no reload: the summary follows the chosen carrier
    expect(summary.get_by_role("row", name="Shipping (UPS)")).to_contain_text("€7.50")
    expect(summary.get_by_role("row", name=re.compile("^Total"))).to_contain_text("€185.50")
    expect(page.get_by_role("button", name="Place order")).to_contain_text("€185.50")
    assert page.get_by_role("button", name="Update total").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0

    page.get_by_label("Card number").fill(CARD)
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/thank-you/")
    assert Order.objects.get().total == Decimal("185.50")  # what the summary said
    context.close()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_update_total_shows_the_chosen_carriers_total(browser, live_server, settings):
    settings.SITE_URL = live_server.url
    shopper = UserFactory(email="summary-nojs@example.com")
    AddressFactory(user=shopper)
    product = ProductFactory(name="Card holder", price=Decimal("35.00"))
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, shopper.email)
    page.goto(product.get_absolute_url())
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/shop/checkout/")
    summary = page.get_by_role("region", name="Order summary")
    expect(summary.get_by_role("row", name=re.compile("^Total"))).to_contain_text("€40.90")

    page.get_by_label("UPS").check()
    page.get_by_label("Visa ending 4242 (test)").check()
    page.get_by_role("button", name="Update total").click()
    expect(summary.get_by_role("row", name="Shipping (UPS)")).to_contain_text("€7.50")
    expect(summary.get_by_role("row", name=re.compile("^Total"))).to_contain_text("€42.50")
    expect(page.get_by_label("UPS")).to_be_checked()
    expect(page.get_by_label("Visa ending 4242 (test)")).to_be_checked()
    assert not Order.objects.exists()

    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/thank-you/")
    order = Order.objects.get()
    assert (order.carrier, order.total) == ("ups", Decimal("42.50"))
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_declined_card_is_explained_beside_the_card_fields_and_in_a_focused_summary(page):
    shopper = UserFactory(email="declined@example.com")
    AddressFactory(user=shopper)
    product = ProductFactory(name="Belt", price=Decimal("45.00"))
    log_in(page, shopper.email)
    page.goto(product.get_absolute_url())
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/shop/checkout/")
    page.get_by_label("UPS").check()
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Place order").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#payment")).to_contain_text("Your card was declined")
    expect(page.get_by_label("UPS")).to_be_checked()  # the other choices are kept
    summary.get_by_role("link", name=re.compile("Your card was declined")).click()
    expect(page.get_by_label("Card number")).to_be_focused()
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_shopper_without_an_address_types_it_in_the_checkout(page, axe_check):
    shopper = UserFactory(email="first-order@example.com", country="FR", first_name="Léa", last_name="Martin")
    product = ProductFactory(name="Ribbed scarf", price=Decimal("39.00"))
    log_in(page, shopper.email)
    page.goto(product.get_absolute_url())
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/shop/checkout/")
    expect(page.get_by_role("group", name="Delivery address")).to_be_visible()
    expect(page.get_by_label("Country")).to_have_value("FR")  # from the profile
    expect(page.get_by_label("Full name")).to_have_value("Léa Martin")
    assert page.get_by_label("Address line 1").get_attribute("autocomplete") == "address-line1"
    axe_check(page)

    fill_card(page)
    page.get_by_role("button", name="Place order").click()  # no address typed: the summary names each missing field
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter the first line of the address")).to_be_visible()
    summary.get_by_role("link", name="Enter the town or city.").click()
    expect(page.get_by_label("Town or city")).to_be_focused()
    expect(page.get_by_label("Full name")).to_have_value("Léa Martin")  # kept

    page.get_by_label("Address line 1").fill("12 Rue des Lilas")
    page.get_by_label("Town or city").fill("Lyon")
    page.get_by_label("Postcode").fill("69001")
    fill_card(page)  # card details never come back from the server: typed again
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/thank-you/")
    order = Order.objects.get()
    assert "12 Rue des Lilas" in order.shipping_lines
    assert shopper.addresses.get().is_default


def fill_card(page, number: str = CARD) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("Security code").fill("123")
