"""The ad-sharing page in a real browser at phone and desktop widths: "no" is the default and the page says what the
feed does for the person; after a yes it says they are included. Screenshots go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.sign_in import log_in
from tests.factories import UserFactory

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_the_ad_sharing_page_defaults_to_no_and_says_what_the_feed_does(page, axe_check, width):
    user = UserFactory(email=f"ads{width}@example.com")
    page.set_viewport_size({"width": width, "height": 900})
    page.set_default_timeout(60_000)  # a shared 2-core machine: slow, not broken
    log_in(page, user.email)
    page.goto("/privacy/ad-sharing/")
    expect(page.get_by_label("Don't share my data for tailored advertising (the default)")).to_be_checked()
    expect(page.locator("#ad-sharing-status")).to_contain_text("because you haven't agreed to it")
    axe_check(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"ad-sharing-default-{width}.png"), full_page=True)

    page.get_by_label("Share a keyed hash of my email address with the advertising partner").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#ad-sharing-status")).to_contain_text("We include you in the audience")
    page.screenshot(path=str(SHOTS / f"ad-sharing-yes-{width}.png"), full_page=True)
