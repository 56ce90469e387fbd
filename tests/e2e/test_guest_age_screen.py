"""Under 13 at a guest form (contact, contest, review): the refusal page, at 390 px and 1280 px, with axe, and
nothing stored."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import Review
from shop.models import Contest, ContestEntry, SupportTicket
from tests.factories import ProductFactory

VIEWPORTS = [{"width": 390, "height": 844}, {"width": 1280, "height": 800}]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["390px", "1280px"])
def test_a_child_is_refused_at_every_guest_form_and_nothing_is_stored(page, axe_check, viewport):
    page.set_viewport_size(viewport)
    now = timezone.now()
    contest = Contest.objects.create(
        title="Summer draw",
        slug="summer-draw",
        prize="A linen shirt",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=7),
        winners_count=2,
    )
    product = ProductFactory()

    page.goto(reverse("shop:contact"))
    page.wait_for_url("**/accounts/age/check/**")
    axe_check(page)
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill(str(now.year - 10))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Sorry, we can't accept this form from you")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    axe_check(page)

    for path in [contest.get_absolute_url(), reverse("reviews:write", kwargs={"slug": product.slug})]:
        page.goto(path)
        expect(page.get_by_text("We have not kept anything you entered.")).to_be_visible()
    assert not SupportTicket.objects.exists()
    assert not ContestEntry.objects.exists()
    assert not Review.objects.exists()
    assert "sessionid" not in {cookie["name"] for cookie in page.context.cookies()}
