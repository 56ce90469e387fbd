"""The emails themselves at a phone's width: a newsletter edition and an order confirmation, as the mailing engine
and the order outbox build them, opened in Chromium at 375 and 800 px: nothing wider than the screen, the footer's
unsubscribe link visible without scrolling sideways."""

from __future__ import annotations

import pytest

from subscriptions import mailing
from subscriptions.models import Edition
from tests.factories import SubscriberFactory, SubscriptionFactory, launch_topics

WIDTHS = [375, 800]


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def assert_fits(browser, html: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.set_content(html)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the email is {overflow}px wider than a {width}px screen"
    for link in page.locator("a").all():
        box = link.bounding_box()
        assert box is None or box["x"] + box["width"] <= width + 1, f"{link.inner_text()!r} runs off the screen"
    context.close()


@pytest.mark.django_db
@pytest.mark.parametrize("width", WIDTHS)
def test_a_newsletter_fits_a_phone(browser, width):
    topics = launch_topics()
    subscriber = SubscriberFactory(email="a.rather.long.address.for.a.phone@example.com")
    SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"])
    edition = Edition.objects.create(
        topic=topics["newsletter"],
        subject="Winter picks: wool, linen and a very long subject line that wraps",
        preheader="Eight new things",
        body_text="Our winter selection.\n\nhttps://shop.example.com/a/very/long/link/that/has/no/spaces/at/all/x",
    )
    message = mailing.personalise(mailing.render_edition(edition), subscriber)
    assert_fits(browser, html_of(message), width)


@pytest.mark.django_db
@pytest.mark.parametrize("width", WIDTHS)
def test_an_order_confirmation_fits_a_phone(browser, width, mailoutbox):
    from decimal import Decimal

    from shop import tasks
    from tests.factories import AddressFactory, ProductFactory, UserFactory
    from tests.privacy.test_data_rights import place_order

    user = UserFactory(email="phone@example.com")
    product = ProductFactory(name="Fisherman cardigan with a long name", price=Decimal("129.00"))
    order = place_order(user, AddressFactory(user=user), product)
    tasks.send_order_email(order.emails.get().pk)
    [mail] = mailoutbox
    assert_fits(browser, html_of(mail), width)
