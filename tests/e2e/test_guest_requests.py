"""A person without an account downloads, then deletes, the data held under their address (/privacy/request/), in a
real browser at a phone's width (390 px) and a laptop's (1280 px): the form (and its error summary), the page's
answer, the emailed link (read from the test mail outbox), the confirmation page, the export page, the JSON
download and the "deleted" page. axe runs on every page (every impact, target size included), and no page scrolls
sideways."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core import mail
from django.utils import timezone

from shop.models import Contest, ContestEntry, SupportTicket
from subscriptions.models import Subscriber
from tests.factories import ReviewFactory, SubscriberFactory, SubscriptionFactory

GUEST = "e2e.no-account@example.org"
WIDTHS = [390, 1280]
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


def check(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    summary = [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}" for v in violations]
    assert not violations, f"axe on {page.url}:\n" + "\n".join(summary)


def ask_for_a_link(page, kind_label: str) -> str:
    """Fill the public form; return the path of the link emailed for it."""
    sent_before = len(mail.outbox)
    page.goto("/privacy/request/")
    page.get_by_label("Your email address").fill(GUEST)
    page.get_by_label(kind_label).check()
    page.get_by_role("button", name="Email me a link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    check(page)
    assert GUEST not in page.url
    assert len(mail.outbox) == sent_before + 1
    message = mail.outbox[-1]
    assert message.to == [GUEST]
    found = re.search(r"https?://[^/\s]+(/privacy/request/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def guest_data(db):
    subscriber = SubscriberFactory(email=GUEST)
    SubscriptionFactory(subscriber=subscriber)
    ReviewFactory(email=GUEST, display_name="Ines", city="Porto")
    now = timezone.now()
    contest = Contest.objects.create(
        title="Autumn draw", slug="autumn", prize="A scarf", starts_at=now, ends_at=now + datetime.timedelta(days=5)
    )
    ContestEntry.objects.create(contest=contest, first_name="Ines", city="Porto", email=GUEST)
    ticket = SupportTicket.objects.create(name="Ines P", email=GUEST, subject="Returns", message="Can I return socks?")
    return {"subscriber": subscriber, "ticket": ticket}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_a_guest_downloads_then_deletes_their_data_by_emailed_links(page, guest_data, mailoutbox, width):
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})

    # The form, and its error summary when the address is missing.
    page.goto("/privacy/request/")
    page.get_by_role("heading", name="Download or delete your data").wait_for()
    check(page)
    page.get_by_role("button", name="Email me a link").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    check(page)
    page.get_by_role("link", name="Enter your email address.").click()
    assert page.evaluate("document.activeElement.id") == "id_email"

    # Download: the emailed link's page changes nothing until the button; the data is shown once.
    path = ask_for_a_link(page, "Download my data")
    page.goto(path)
    page.get_by_role("heading", name="Download your data").wait_for()
    check(page)
    page.get_by_role("button", name="Show my data").click()
    page.get_by_role("heading", name="Your data", exact=True).wait_for()
    assert page.get_by_text("Can I return socks?").is_visible()
    check(page)
    # Every value has room to be read (side by side at 390 px, a subscription's topics were one letter a line).
    narrowest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('.export-item dd')].map(dd => dd.getBoundingClientRect().width))"
    )
    assert narrowest >= 120, f"a value of the export is {narrowest}px wide"
    page.goto(path)
    page.get_by_role("heading", name="This link has already been used").wait_for()
    check(page)

    # The same as a JSON file.
    page.goto(ask_for_a_link(page, "Download my data"))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download it as JSON").click()
    with open(download_info.value.path(), encoding="utf-8") as file:
        payload = json.load(file)
    assert payload["sections"]["support_tickets"]["items"][0]["message"] == "Can I return socks?"

    # Delete.
    page.goto(ask_for_a_link(page, "Delete my data"))
    page.get_by_role("heading", name="Delete your data").wait_for()
    check(page)
    assert SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()
    page.get_by_role("button", name="Delete my data").click()
    page.get_by_role("heading", name="Your data is deleted").wait_for()
    check(page)
    assert not SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()
    assert not ContestEntry.objects.filter(email=GUEST).exists()
    assert Subscriber.objects.get(pk=guest_data["subscriber"].pk).email != GUEST
