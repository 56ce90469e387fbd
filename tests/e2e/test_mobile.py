"""Every page at 390 px (an iPhone 13/14's CSS width): no sideways scrolling and no axe violations of any impact
(target-size included), logged out, as a shopper and as staff. The navigation folds behind a Menu button and the
cookie banner leaves most of the first screen to the page."""

import datetime
import uuid
from decimal import Decimal
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from privacy import data_rights
from shop import services as shop_services
from shop.cart import CartLine
from shop.models import Contest
from subscriptions.emails import preferences_url, unsubscribe_url
from tests.e2e.sign_in import log_in
from tests.factories import (
    AddressFactory,
    ProductFactory,
    ProductStyleFactory,
    ReviewFactory,
    StaffFactory,
    SubscriberFactory,
    SubscriptionFactory,
    UserFactory,
    launch_topics,
)
from tests.shop.test_product_photos import photo

MOBILE = {"width": 390, "height": 844}
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


def check_page(page, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    response = page.goto(path)
    assert response.status < 400, f"{path} answered {response.status}"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the 390px screen"
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    summary = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violations]
    assert not violations, f"axe on {path} at 390px:\n" + "\n".join(summary)


@pytest.fixture
def shop_data(db):
    topics = launch_topics()
    shopper = UserFactory(email="mobile-shopper@example.com", first_name="Noor")
    address = AddressFactory(user=shopper, full_name="Noor Haddad", line1="4 Canal Street")
    product = ProductFactory(name="Merino crew neck with a rather long name", price=Decimal("89.00"))
    ProductStyleFactory(product=product, name="Charcoal")
    product.image.save("merino.jpg", photo(1200, 900))  # the photo at 390 px: no overflow, axe checks its alt text
    product.is_featured = True
    product.save(update_fields=["is_featured"])
    ReviewFactory(product=product)
    with mock.patch("shop.services.outbox.enqueue_order_email"):
        order = shop_services.place_order(
            user=shopper,
            lines=[CartLine(key="k", product=product, style=None, quantity=2)],
            shipping_address=address,
            billing_address=address,
            carrier="dhl",
            payment_token="tok_test_visa_4242_mobile01",
            expected_total=2 * product.price + shop_services.shipping_cost("dhl"),
            checkout_key=uuid.uuid4(),
        )
    subscriber = SubscriberFactory(email=shopper.email, user=shopper)
    SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"])
    with mock.patch("privacy.tasks.build_data_export"):
        data_rights.request_export(user=shopper)
    now = timezone.now()
    contest = Contest.objects.create(
        title="Win a scarf",
        slug="win-a-scarf",
        prize="A ribbed scarf",
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=9),
    )
    return {
        "shopper": shopper,
        "product": product,
        "order": order,
        "contest": contest,
        "unsubscribe": unsubscribe_url(subscriber, topics["newsletter"]),
        "preferences_token": preferences_url(subscriber),
    }


PUBLIC_PAGES = [
    "home",
    "shop:product_list",
    "shop:cart",
    "shop:contact",
    "shop:contests",
    "account_login",
    "account_reset_password",
    "accounts:age_screen",
    "privacy:dashboard",
    "privacy:cookies",
    "privacy:policy",
    "privacy:ad_sharing",
    "subscriptions:subscribe",
]
SIGNED_IN_PAGES = [
    "home",
    "shop:product_list",
    "shop:cart",
    "shop:checkout",
    "shop:orders",
    "shop:contact",
    "accounts:profile",
    "accounts:address_add",
    "subscriptions:preferences",
    "privacy:dashboard",
    "privacy:export",
    "privacy:ad_sharing",
    "privacy:delete",
]


def visit_everything(page, data, names) -> None:
    paths = [reverse(name) for name in names]
    paths += [data["product"].get_absolute_url(), data["contest"].get_absolute_url()]
    for path in paths:
        check_page(page, path)


@pytest.mark.django_db(transaction=True)
def test_every_public_page_fits_390px_with_no_axe_violations(browser, live_server, shop_data):
    context = browser.new_context(base_url=live_server.url, viewport=MOBILE)
    page = context.new_page()
    visit_everything(page, shop_data, PUBLIC_PAGES)
    for url in (shop_data["unsubscribe"], shop_data["preferences_token"]):
        check_page(page, urlsplit(url).path)
    context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["shopper", "staff"])
def test_every_signed_in_page_fits_390px_with_no_axe_violations(browser, live_server, shop_data, who):
    context = browser.new_context(base_url=live_server.url, viewport=MOBILE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if who == "staff":
        staff = StaffFactory(email="mobile-staff@example.com")
        AddressFactory(user=staff)
        log_in(page, staff.email)
    else:
        log_in(page, shop_data["shopper"].email)
    page.goto(shop_data["product"].get_absolute_url())
    page.get_by_role("button", name="Add to cart").click()  # so the cart and checkout have lines
    visit_everything(page, shop_data, SIGNED_IN_PAGES)
    if who == "shopper":
        check_page(page, shop_data["order"].get_absolute_url())
    context.close()


@pytest.mark.django_db(transaction=True)
def test_navigation_folds_behind_a_menu_button_and_the_banner_leaves_the_page_visible(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=MOBILE)
    page = context.new_page()
    page.goto("/")
    banner = page.get_by_role("region", name="Cookies on Example Shop")
    expect(banner).to_be_visible()
    assert banner.bounding_box()["height"] <= 0.25 * MOBILE["height"]
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()

    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Contests")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="Contests").click()
    page.wait_for_url("**/shop/contests/")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_whole_navigation_is_shown(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=MOBILE, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_role("link", name="Contests")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_have_count(0)
    context.close()
