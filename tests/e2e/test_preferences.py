"""A guest subscribes from the footer, confirms through the emailed link (taken from the demo mailbox), then
changes a frequency, takes "fewer emails" from a commercial email's unsubscribe link, pauses, and unsubscribes
from everything. axe runs on every preference-center page."""

import datetime

import pytest

from subscriptions.emails import build_commercial_message
from subscriptions.models import Subscriber
from subscriptions.selectors import eligible_subscriptions, shop_today
from tests.factories import PASSWORD, StaffFactory, launch_topics


def open_latest_email_link(page, subject: str, link_part: str) -> None:
    page.goto("/demo/mailbox/")
    page.get_by_role("link", name=subject).first.click()
    page.locator(".email-links a", has_text=link_part).first.click()


@pytest.mark.django_db(transaction=True)
def test_subscribe_confirm_and_manage_preferences_from_emailed_links(page, demo_mode, axe_check):

    topics = launch_topics()
    staff = StaffFactory()

    # A guest subscribes from the footer of the home page.
    page.goto("/")
    footer = page.locator("form.footer-subscribe")
    footer.get_by_label("Email address").fill("e2e.guest@example.com")
    footer.get_by_role("button", name="Subscribe").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    axe_check(page)
    subscriber = Subscriber.objects.get(email="e2e.guest@example.com")
    assert not eligible_subscriptions(None).exists()

    # Staff open the demo mailbox; the confirmation link's GET changes nothing, the button confirms.
    page.goto("/admin/login/?next=/demo/mailbox/")
    page.fill("#id_username", staff.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    open_latest_email_link(page, "Please confirm your Example Shop email subscription", "/subscribe/confirm/")
    page.get_by_role("heading", name="Confirm your subscription").wait_for()
    axe_check(page)
    assert not eligible_subscriptions(None).exists()
    page.get_by_role("button", name="Confirm my subscription").click()
    page.get_by_role("heading", name="You're subscribed").wait_for()
    axe_check(page)
    assert eligible_subscriptions(topics["newsletter"]).get().frequency == "twice_weekly"

    # The preference center: change a frequency.
    page.get_by_role("link", name="Choose topics and how often").click()
    page.get_by_role("heading", name="Your email preferences").wait_for()
    axe_check(page)
    page.get_by_role("combobox", name="Newsletter and special offers").select_option("weekly")
    page.get_by_role("combobox", name="Contests and giveaways").select_option("monthly")
    page.get_by_role("button", name="Save my choices").click()
    page.get_by_text("Your choices are saved.").wait_for()
    axe_check(page)
    assert dict(subscriber.subscriptions.values_list("topic__slug", "frequency")) == {
        "newsletter": "weekly",
        "contests": "monthly",
    }

    # A commercial email's unsubscribe link: the page offers fewer emails instead.
    build_commercial_message(
        subscriber=subscriber, topic=topics["newsletter"], template="email/subscriptions/sample"
    ).send()
    open_latest_email_link(page, "Newsletter and special offers: this week's picks", "/unsubscribe/")
    page.get_by_role("heading", name="Unsubscribe from “Newsletter and special offers”?").wait_for()
    axe_check(page)
    page.get_by_role("button", name="Once a month").click()
    page.get_by_role("heading", name="“Newsletter and special offers”: once a month from now on").wait_for()
    axe_check(page)
    assert subscriber.subscriptions.get(topic=topics["newsletter"]).frequency == "monthly"

    # Pause everything until a date, from the preference center.
    page.get_by_role("link", name="See all your email choices").click()
    until = shop_today() + datetime.timedelta(days=14)
    page.get_by_label("Pause everything until").fill(until.isoformat())
    page.get_by_role("button", name="Pause everything").click()
    page.get_by_role("heading", name=f"Paused until {until.day} {until:%B %Y}").wait_for()
    axe_check(page)
    assert not eligible_subscriptions(None).exists()
    assert eligible_subscriptions(topics["contests"], on=until + datetime.timedelta(days=1)).exists()

    # Unsubscribe from all marketing.
    page.get_by_role("button", name="Unsubscribe from all marketing").click()
    page.get_by_text("You are unsubscribed from all marketing email.").wait_for()
    axe_check(page)
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_all_at is not None
    assert not eligible_subscriptions(None, on=until + datetime.timedelta(days=1)).exists()


@pytest.mark.django_db(transaction=True)
def test_the_subscribe_and_broken_link_pages_are_accessible(page, axe_check):
    launch_topics()
    page.goto("/subscribe/")
    axe_check(page)
    page.get_by_role("button", name="Subscribe").first.click()  # nothing filled in: clear messages
    page.get_by_text("Please enter your email address.").wait_for()
    axe_check(page)
    page.goto("/unsubscribe/not-a-real-token/")
    page.get_by_role("heading", name="This link doesn't work").wait_for()
    axe_check(page)
