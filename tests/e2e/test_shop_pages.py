"""The shop as a shopper sees it in Chromium at 390 and 1280 px (issue 15, items 7 and 8): photos load at the size
the layout needs, the home page's shelves, "Write a review" unfolds the form, and the privacy dashboard in words.
Screenshots of the home, product and privacy pages go to var/screenshots/ (CI artifacts)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from demo.seeds.product_images import draw
from tests.e2e.sign_in import log_in
from tests.factories import ProductFactory, ProductStyleFactory, UserFactory, launch_topics

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
VIEWPORTS = [{"width": 390, "height": 844}, {"width": 1280, "height": 800}]


def serve_media(page, media_root: Path) -> None:
    """The live server serves static files, not uploads: the browser gets them from the test's MEDIA_ROOT."""

    def fulfil(route):
        name = route.request.url.split("/media/", 1)[1]
        path = media_root / name
        if path.is_file():
            route.fulfill(path=str(path), content_type="image/jpeg")
        else:
            route.fulfill(status=404)

    page.route(re.compile(r".*/media/.*"), fulfil)


def fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["390px", "1280px"])
def test_photos_load_at_the_size_the_layout_needs(page, settings, viewport, axe_check):
    page.set_viewport_size(viewport)
    serve_media(page, Path(settings.MEDIA_ROOT))
    shirt = ProductFactory(name="Linen shirt", price=Decimal("49.50"), is_featured=True, image_alt="Sand linen shirt")
    shirt.image.save("linen.jpg", ContentFile(draw("Shirts", "Sand", "linen")))  # the demo's drawn photos
    ProductStyleFactory(product=shirt, name="Sand", is_published=True)
    tote = ProductFactory(name="Market tote", price=Decimal("79.00"))
    tote.image.save("tote.jpg", ContentFile(draw("Bags", "Cognac", "tote")))

    page.goto("/")
    expect(page.get_by_role("heading", name="Featured")).to_be_visible()
    expect(page.get_by_role("heading", name="New in")).to_be_visible()
    card = page.get_by_role("img", name="Sand linen shirt")
    card.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=card.element_handle())
    chosen = card.evaluate("img => img.currentSrc")
    # a card is the screen's width on a phone (390 css px -> the 640 rendition), 16rem on a desktop (-> 320)
    assert chosen.endswith("-640w.jpg" if viewport["width"] == 390 else "-320w.jpg"), chosen
    fits(page)
    axe_check(page)
    shot(page, "home")

    page.goto(shirt.get_absolute_url())
    hero = page.get_by_role("img", name="Sand linen shirt")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=hero.element_handle())
    assert hero.get_attribute("loading") is None  # the main photo is not lazy
    box = hero.bounding_box()
    assert box["width"] <= viewport["width"]
    fits(page)
    axe_check(page)
    shot(page, "product")


@pytest.mark.django_db(transaction=True)
def test_write_a_review_unfolds_the_form(page, browser, live_server):
    product = ProductFactory(name="Trail boot")
    UserFactory(email="reviewer@example.com")
    log_in(page, "reviewer@example.com")  # a signed-in adult: the product page holds the form itself
    page.goto(product.get_absolute_url())
    form = page.locator("form.review-form")
    expect(form).to_be_hidden()
    page.get_by_text("Write a review", exact=True).click()
    expect(form).to_be_visible()
    expect(page.get_by_label("Title")).to_be_visible()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["390px", "1280px"])
def test_the_privacy_dashboard_reads_in_words(page, viewport, axe_check):
    from subscriptions import services as subscription_services
    from tests.factories import SubscriberFactory, SubscriptionFactory

    page.set_viewport_size(viewport)
    topics = launch_topics()
    user = UserFactory(email="words@example.com")
    subscriber = SubscriberFactory(email=user.email, user=user)
    SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"], frequency="twice_weekly")
    subscription_services.change_frequency(
        subscriber=subscriber, topic=topics["newsletter"], frequency="monthly", method="preference_center"
    )
    log_in(page, user.email)
    page.goto("/privacy/")
    history = page.locator("table", has=page.get_by_text("Every consent choice we recorded"))
    expect(history).to_contain_text("Topic: Newsletter and special offers")
    expect(history).to_contain_text("Changed (once a month)")
    text = page.locator("main").inner_text()
    for code in ("monthly", "topic:newsletter", "preference_center"):
        assert code not in text
    fits(page)
    axe_check(page)
    shot(page, "privacy-dashboard")
