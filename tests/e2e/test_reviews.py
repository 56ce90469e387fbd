"""A guest answers the age screen, reviews a product (warned about personal details), confirms it by the emailed
link, staff publish it, a visitor reads it: no email. The new pages at 390 px and 1280 px with axe."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import Review, ReviewStatus
from tests.e2e.sign_in import log_in
from tests.factories import ProductFactory, StaffFactory

GUEST_EMAIL = "guest.reviewer@example.org"
VIEWPORTS = [{"width": 390, "height": 844}, {"width": 1280, "height": 800}]


def fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["390px", "1280px"])
def test_guest_review_is_confirmed_moderated_then_shown_without_email(
    page, browser, live_server, axe_check, mailoutbox, viewport
):
    page.set_viewport_size(viewport)
    product = ProductFactory(name="Trail boot")
    staff = StaffFactory()

    # A guest opens the product page: a link to the form, which asks the neutral age question first.
    page.goto(product.get_absolute_url())
    axe_check(page)
    page.get_by_role("link", name="Write a review of Trail boot").click()
    page.wait_for_url("**/accounts/age/check/**")
    expect(page.get_by_role("heading", name="Before you continue")).to_be_visible()
    fits(page)
    axe_check(page)
    page.get_by_label("Day").fill("17")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill("1985")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/reviews/products/*/write/")
    fits(page)

    # The review, with a phone number in it.
    page.get_by_label("5 stars: excellent").check()
    page.get_by_label("Title", exact=True).fill("Best boots I have owned")
    page.get_by_label("Your review", exact=True).fill("Dry after a week of rain. Questions? Call 06 12 34 56 78.")
    page.get_by_label("Your name", exact=True).fill("Ada")
    page.get_by_label("City", exact=True).fill("Manchester")
    page.get_by_label("Country", exact=True).select_option("GB")
    page.get_by_label("Your email address", exact=True).fill(GUEST_EMAIL)
    page.get_by_role("button", name="Submit your review").click()

    # The warning comes back first; the guest confirms.
    page.wait_for_url("**/reviews/products/*/write/")
    expect(page.get_by_role("alert").filter(has_text="without personal details")).to_be_visible()
    assert not Review.objects.exists()
    axe_check(page)
    page.get_by_label(re.compile("Submit anyway")).check()
    page.get_by_role("button", name="Submit your review").click()
    page.wait_for_url(re.compile(r"/shop/products/[^/]+/(#reviews)?$"))
    expect(page.get_by_text("Check your inbox to confirm your review")).to_be_visible()
    assert "Best boots I have owned" not in page.content()  # not before confirmation and moderation
    axe_check(page)
    assert Review.objects.get().status == ReviewStatus.UNCONFIRMED

    # The link in the guest's inbox: a page with a button (opening it changes nothing), then confirmed.
    [message] = mailoutbox
    link = re.search(r"https?://\S+/reviews/confirm/\S+/", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your review")).to_be_visible()
    fits(page)
    axe_check(page)
    assert Review.objects.get().status == ReviewStatus.UNCONFIRMED
    page.get_by_role("button", name="Confirm my review").click()
    page.wait_for_url(re.compile(r"/shop/products/[^/]+/(#reviews)?$"))
    expect(page.get_by_text("will appear once our team has checked it")).to_be_visible()
    assert Review.objects.get().status == ReviewStatus.PENDING

    # The same link again: a clear page, nothing changes.
    page.goto(link)
    expect(page.get_by_role("heading", name="This link doesn't work")).to_be_visible()
    fits(page)
    axe_check(page)

    # Staff publish it from the admin.
    staff_context = browser.new_context(base_url=live_server.url)
    admin = staff_context.new_page()
    log_in(admin, staff.email, next_url="/admin/reviews/review/")
    admin.wait_for_url("**/admin/reviews/review/")
    assert GUEST_EMAIL in admin.content()  # staff see the email
    admin.get_by_role("link", name="Pending moderation").click()
    admin.locator("input[name=_selected_action]").first.check()
    admin.locator("select[name=action]").select_option("publish")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_text("1 review(s) published.")).to_be_visible()
    staff_context.close()

    # An anonymous visitor reads it: location shown, contact details masked, no email in the page source.
    visitor_context = browser.new_context(base_url=live_server.url)
    visitor = visitor_context.new_page()
    visitor.goto(product.get_absolute_url())
    review = visitor.locator("article.review")
    expect(review.get_by_role("heading", name="Best boots I have owned")).to_be_visible()
    assert "By Ada, Manchester, United Kingdom" in review.inner_text()
    assert "[phone removed]" in review.inner_text()
    expect(visitor.get_by_text("5.0 out of 5")).to_be_visible()
    source = visitor.request.get(product.get_absolute_url()).text()
    for html in [source, visitor.content()]:
        assert GUEST_EMAIL not in html
        assert "guest.reviewer" not in html
        assert "06 12 34 56 78" not in html
    axe_check(visitor)
    visitor_context.close()
