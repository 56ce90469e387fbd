"""A shopper switches the shop to French, then German, with the header's switcher, and buys in that language at a
phone's and a desktop's width: home, product, cart, checkout with the test card, the order page. Each page is fully
in the chosen language (tests/e2e/language_check.py), and its prices and dates are written the local way."""

import re
from decimal import Decimal

import pytest

from shop.models import Order
from tests.e2e.language_check import assert_fully_in, english_left_on, switch_language
from tests.e2e.sign_in import log_in
from tests.factories import AddressFactory, ProductFactory, ProductStyleFactory, UserFactory

CARD = "4242424242424242"
NNBSP, NBSP = "\u202f", "\u00a0"
LANGUAGES = {
    # the switcher's option, then what the pages say: a price of 1,289.00 (and with UPS 1,296.50), a month's name
    "fr": {
        "option": "Français",
        "price": f"1{NNBSP}289,00{NBSP}€",
        "total": f"1{NNBSP}296,50{NBSP}€",
        "add": "Ajouter au panier",
        "check_out": "Passer commande",
        "thanks": "Merci, votre commande est passée",
        "placed": re.compile(r"Passée le \d{1,2} [a-zéû]+ \d{4} à \d{2}:\d{2}"),
    },
    "de": {
        "option": "Deutsch",
        "price": f"1.289,00{NBSP}€",
        "total": f"1.296,50{NBSP}€",
        "add": "In den Warenkorb",
        "check_out": "Zur Kasse",
        "thanks": "Vielen Dank, Ihre Bestellung ist aufgegeben",
        "placed": re.compile(r"Aufgegeben am \d{1,2}\. [A-Za-zä]+ \d{4}, \d{2}:\d{2}"),
    },
}
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def visible(page) -> str:
    return page.evaluate("document.body.innerText")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_shopper_buys_in_french_and_german_and_every_page_is_in_that_language(
    page, live_server, demo_mode, language, width
):
    words = LANGUAGES[language]
    page.set_viewport_size(WIDTHS[width])
    shopper = UserFactory(email=f"e2e-{language}-{width}@example.com", first_name="Noor")
    AddressFactory(user=shopper, full_name="Noor Haddad", line1="4 Canal Street")
    product = ProductFactory(name="Fisherman cardigan", price=Decimal("1289.00"), is_featured=True)
    ProductStyleFactory(product=product, name="Ecru")

    log_in(page, shopper.email)  # in English, the default
    page.goto("/")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "Browse the shop" in english_left_on(page, language)  # the check sees English where it is
    switch_language(page, words["option"])
    assert_fully_in(page, language)  # home
    assert words["price"] in visible(page)

    page.get_by_role("link", name="Fisherman cardigan").first.click()
    page.wait_for_url(f"**{product.get_absolute_url()}")
    assert_fully_in(page, language)
    assert words["price"] in visible(page)
    page.locator("#id_style").select_option(label="Ecru")
    page.get_by_role("button", name=words["add"]).click()

    page.wait_for_url("**/shop/cart/")
    assert_fully_in(page, language)
    assert words["price"] in visible(page)
    page.get_by_role("link", name=words["check_out"]).click()

    page.wait_for_url("**/shop/checkout/")
    assert_fully_in(page, language)
    page.locator("input[name=carrier][value=ups]").check()
    assert words["total"] in page.locator("#place-order").inner_text()  # the script's figures, in the language too
    assert_fully_in(page, language)  # the announcement of the new total included
    page.locator("#tp-number").fill(CARD)
    page.locator("#tp-expiry").fill("12/30")
    page.locator("#tp-cvc").fill("123")
    page.locator("#place-order").click()

    page.wait_for_url("**/thank-you/")
    assert_fully_in(page, language)
    text = visible(page)
    assert words["thanks"] in text
    assert words["total"] in text
    assert words["placed"].search(text), text
    order = Order.objects.get(user=shopper)
    assert order.language == language  # its emails will be in it too
    assert (order.total, order.carrier) == (Decimal("1296.50"), "ups")

    page.goto(order.get_absolute_url())
    assert_fully_in(page, language)
    page.goto("/shop/orders/")
    assert_fully_in(page, language)
    assert words["total"] in visible(page)
