"""Issue 16 for the shop: prices, dates and words in the reader's language; emails in the shopper's language."""

import datetime
import json
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from shop import services, tasks
from shop.models import Order, SupportTicket
from shop.money import format_money
from tests.factories import ProductFactory, ProductStyleFactory

from .conftest import add_to_cart, checkout_data

pytestmark = pytest.mark.django_db

NNBSP, NBSP = "\u202f", "\u00a0"  # Babel's French thousands separator, and the space before the euro sign
TOTALS = {"en": "€1,234.50", "fr": f"1{NNBSP}234,50{NBSP}€", "de": f"1.234,50{NBSP}€"}
PLACED = {"en": "3 November 2026, 16:08", "fr": "3 novembre 2026 à 16:08", "de": "3. November 2026, 16:08"}


@pytest.fixture
def dear_product(db):
    """1,228.60 plus DHL's 5.90: an order of 1,234.50."""
    product = ProductFactory(name="Weekender bag", price=Decimal("1228.60"))
    ProductStyleFactory(product=product, name="Tan")
    return product


def place(client, product, page_language: str = "en", **overrides) -> Order:
    add_to_cart(client, product)
    client.post(reverse("shop:checkout"), checkout_data(client, **overrides), HTTP_ACCEPT_LANGUAGE=page_language)
    order = Order.objects.latest("pk")
    Order.objects.filter(pk=order.pk).update(placed_at=datetime.datetime(2026, 11, 3, 15, 8, tzinfo=datetime.UTC))
    order.refresh_from_db()
    return order


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_one_money_format_follows_the_active_language(language):
    with translation.override(language):
        assert format_money(Decimal("1234.5")) == TOTALS[language]
        assert (
            format_money(Decimal("12.50")) == {"en": "€12.50", "fr": f"12,50{NBSP}€", "de": f"12,50{NBSP}€"}[language]
        )


def test_the_currency_comes_from_the_setting_and_an_order_keeps_its_own(settings, shopper_client, product):
    settings.SHOP_CURRENCY = "GBP"
    with translation.override("en"):
        assert format_money(Decimal("12.5")) == "£12.50"
        assert format_money(Decimal("12.5"), "EUR") == "€12.50"
    order = place(shopper_client, product)
    assert order.currency == "GBP"
    settings.SHOP_CURRENCY = "EUR"
    html = shopper_client.get(order.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "£55.40" in html  # placed in pounds, shown in pounds
    assert "€55.40" not in html


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_order_page_shows_prices_and_dates_in_the_readers_language(shopper_client, dear_product, language):
    order = place(shopper_client, dear_product)
    html = shopper_client.get(order.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert TOTALS[language] in html
    assert PLACED[language] in html
    words = {"en": "Billing address", "fr": "Adresse de facturation", "de": "Rechnungsadresse"}
    assert words[language] in html
    if language != "en":
        assert "€1,234.50" not in html
        assert "Billing address" not in html
    listing = shopper_client.get(reverse("shop:orders"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert TOTALS[language] in listing
    assert PLACED[language].split(",")[0].split(" à")[0] in listing  # the date, without the time


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_confirmation_email_is_in_the_language_of_the_checkout_page(
    shopper_client, dear_product, mailoutbox, language
):
    order = place(shopper_client, dear_product, page_language=language)
    assert order.language == language
    # The outbox task runs later, in a worker whose active language is whatever it is: the order's language wins.
    with translation.override("en" if language != "en" else "de"):
        tasks.send_order_email(order.emails.get().pk)
    [mail] = mailoutbox
    html = mail.alternatives[0][0]
    subjects = {"en": "Your order", "fr": "Votre commande", "de": "Ihre Bestellung"}
    assert mail.subject.startswith(f"{subjects[language]} {order.number}")
    for body in (mail.body, html):
        assert TOTALS[language] in body
        assert PLACED[language] in body
    thanks = {
        "en": "Thank you for your order",
        "fr": "Merci pour votre commande",
        "de": "Vielen Dank für Ihre Bestellung",
    }
    assert thanks[language] in mail.body
    if language != "en":
        assert "EUR" not in mail.body
        assert "Thank you" not in mail.body
        assert "Subtotal" not in html


def test_a_german_shoppers_shipping_notice_is_german(
    shopper_client, product, mailoutbox, django_capture_on_commit_callbacks
):
    order = place(shopper_client, product, page_language="de")
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        services.ship_order(order=order, carrier="ups", tracking_number="1Z999AA10123456784")
    notice = next(m for m in mailoutbox if "unterwegs" in m.subject)
    assert notice.subject == f"Ihre Bestellung {order.number} ist unterwegs"
    assert "wurde mit UPS versandt" in notice.body
    assert "Sendungsnummer: 1Z999AA10123456784" in notice.body


def test_the_order_language_is_set_by_the_server_never_by_the_form(shopper_client, product):
    """A forged `language` field is ignored: the order keeps the language the page was shown in."""
    forged = place(shopper_client, product, page_language="de", language="fr", language_code="fr")
    assert forged.language == "de"
    unknown = place(shopper_client, product, page_language="xx-evil")
    assert unknown.language == "en"  # the page fell back to the default language, and so does the order


def test_place_order_stores_only_a_known_language(shopper, product):
    from shop.cart import CartLine

    lines = [CartLine(key="k", product=product, style=None, quantity=1)]
    address = shopper.addresses.first()
    for given, stored in [("de", "de"), ("<script>", ""), ("fr-ca", ""), ("", "")]:
        order = services.place_order(
            user=shopper,
            lines=lines,
            shipping_address=address,
            billing_address=address,
            carrier="dhl",
            payment_token="tok_test_visa_4242_lang0001",
            expected_total=product.price + services.shipping_cost("dhl"),
            checkout_key=uuid.uuid4(),
            language=given,
        )
        assert order.language == stored


PAGES_IN = {
    "fr": {
        "home": ["Parcourir la boutique", "À la une"],
        "product": ["Ajouter au panier", "Quantité", "49,50\u00a0€"],
        "cart": ["Votre panier", "Sous-total", "Passer commande", "49,50\u00a0€"],
        "checkout": ["Récapitulatif de la commande", "Transporteur", "Passer la commande", "Adresse de livraison"],
    },
    "de": {
        "home": ["Im Shop stöbern", "Empfohlen"],
        "product": ["In den Warenkorb", "Menge", "49,50\u00a0€"],
        "cart": ["Ihr Warenkorb", "Zwischensumme", "Zur Kasse", "49,50\u00a0€"],
        "checkout": ["Bestellübersicht", "Versanddienst", "Zahlungspflichtig bestellen", "Lieferadresse"],
    },
}
ENGLISH = ["Add to cart", "Your cart", "Subtotal", "Order summary", "Place order", "Browse the shop", "Skip to content"]


@pytest.mark.parametrize("language", ["fr", "de"])
def test_home_product_cart_and_checkout_pages_speak_the_readers_language(shopper_client, product, language):
    product.is_featured = True
    product.save()
    add_to_cart(shopper_client, product)
    urls = {
        "home": reverse("home"),
        "product": product.get_absolute_url(),
        "cart": reverse("shop:cart"),
        "checkout": reverse("shop:checkout"),
    }
    for page, url in urls.items():
        response = shopper_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        for text in PAGES_IN[language][page]:
            assert text in html, f"{text!r} not on the {page} page in {language}"
        for english in ENGLISH:
            assert english not in html, f"{english!r} still on the {page} page in {language}"


def test_the_checkout_script_gets_each_carriers_figures_in_the_pages_language(shopper_client, product):
    add_to_cart(shopper_client, product)
    html = shopper_client.get(reverse("shop:checkout"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    costs = re.search(r'<script id="shipping-costs" type="application/json">(.*?)</script>', html).group(1)
    ups = json.loads(costs)["ups"]
    assert ups["shipping"] == "7,50\u00a0€"
    assert ups["total"] == "57,00\u00a0€"
    assert ups["announce"] == "Gesamtsumme mit Versand durch UPS: 57,00\u00a0€"
    assert 'data-invalid-message="Bitte geben Sie eine gültige Testkartennummer ein' in html


@pytest.mark.parametrize(
    ("language", "label", "button"),
    [("en", "Language", "Change"), ("fr", "Langue", "Changer"), ("de", "Sprache", "Ändern")],
)
def test_the_header_switcher_is_labelled_in_each_language(client, language, label, button):
    html = client.get(reverse("shop:product_list"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    switcher = re.search(r'<form[^>]*class="language-switcher".*?</form>', html, re.DOTALL).group(0)
    assert f'<label for="language-switcher-select">{label}</label>' in switcher
    assert f">{button}</button>" in switcher


def test_cart_messages_and_errors_are_translated(shopper_client, product):
    response = shopper_client.post(
        reverse("shop:cart_add"),
        {"product_id": product.pk, "style_id": product.styles.first().pk, "quantity": 1},
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )
    assert "Linen shirt a été ajouté à votre panier." in response.content.decode()
    response = shopper_client.post(
        reverse("shop:cart_add"),
        {"product_id": product.pk, "style_id": product.styles.first().pk, "quantity": 999},
        HTTP_ACCEPT_LANGUAGE="de",
        follow=True,
    )
    assert "Sie können höchstens 20 Stück eines Artikels bestellen." in response.content.decode()


def test_a_declined_card_is_explained_in_the_pages_language(shopper_client, product):
    add_to_cart(shopper_client, product)
    data = checkout_data(shopper_client, payment_token="tok_test_declined_nojs0003")
    html = shopper_client.post(reverse("shop:checkout"), data, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Ihre Karte wurde abgelehnt. Es wurde nichts belastet" in html
    assert not Order.objects.exists()


def test_a_support_reply_is_written_in_the_language_of_the_contact_page(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    message = {"name": "Jo Gast", "email": "jo@example.com", "subject": "Größe", "message": "Fällt das Hemd klein aus?"}
    client.post(reverse("shop:contact"), {**message, "language": "fr"}, HTTP_ACCEPT_LANGUAGE="de")
    ticket = SupportTicket.objects.get()
    assert ticket.language == "de"  # the page's, never a posted field
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.reply_to_ticket(ticket=ticket, body="Es fällt normal aus.", author=None)
    [mail] = mailoutbox
    assert "Hallo Jo Gast," in mail.body
    assert "Sie schrieben am" in mail.body
    assert mail.subject == f"Re: Größe [Anfrage {ticket.pk}]"


def test_the_money_filter_renders_a_value_that_is_no_number_as_nothing():
    from django.template import Context, Template

    template = Template("{% load shop_money %}[{{ value|money }}][{{ price|money:'USD' }}]")
    with translation.override("en"):
        assert template.render(Context({"value": "not a price", "price": Decimal("3")})) == "[][$3.00]"


def test_the_product_page_shows_the_description_written_in_the_readers_language(client, product):
    from shop.models import ProductDescription

    product.description = "Washed linen, relaxed fit."
    product.save()
    ProductDescription.objects.create(
        product=product, language="de", description="Gewaschenes Leinen, lockere Passform."
    )
    german = client.get(product.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Gewaschenes Leinen, lockere Passform." in german
    assert "Washed linen" not in german
    french = client.get(product.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Washed linen, relaxed fit." in french  # none written in French: the catalogue's own


@pytest.mark.parametrize(
    ("language", "purpose", "categories"),
    [
        ("fr", "autorisation du paiement", "jeton de paiement, montant"),
        ("de", "Zahlungsautorisierung", "Zahlungs-Token, Betrag"),
        ("en", "payment authorisation", "payment token, amount"),
    ],
)
@pytest.mark.django_db
def test_who_received_your_data_is_written_in_the_readers_language_and_kept_in_english(
    client, language, purpose, categories
):
    """The disclosure log keeps what checkout stored (English, the record's words: the JSON export shows them as
    they are); the dashboard translates them for the reader."""
    from privacy.models import Disclosure
    from privacy.services import record_disclosure
    from tests.factories import UserFactory

    user = UserFactory()
    record_disclosure(
        recipient_kind=Disclosure.RecipientKind.PAYMENT_PROCESSOR,
        recipient_name="Test payment processor",
        purpose="payment authorisation",
        data_categories=["payment token", "amount"],
        user=user,
    )
    client.force_login(user)
    page = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f">{purpose}</td>" in page
    assert f">{categories}</td>" in page
    assert Disclosure.objects.get(user=user).purpose == "payment authorisation"
