import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import PASSWORD, StaffFactory


@pytest.mark.django_db(transaction=True)
def test_an_adult_signs_up_confirms_from_the_demo_mailbox_and_lands_logged_in(page, axe_check, demo_mode, live_server):
    StaffFactory(email="staff@example.com")

    page.goto("/")
    # the stylesheet is served and applied
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") == "solid"
    axe_check(page)
    page.get_by_role("link", name="Create an account").first.click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    axe_check(page)
    page.get_by_label("Date of birth").fill("1990-04-12")
    page.get_by_role("button", name="Continue").click()

    axe_check(page)
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.locator("#id_email").fill("ada@example.com")
    page.locator("#id_password1").fill("an-unguessable-passphrase-91")
    page.locator("#id_password2").fill("an-unguessable-passphrase-91")
    page.get_by_label("Country of residence").select_option("GB")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name=re.compile("Verify Your Email Address", re.I))).to_be_visible()
    axe_check(page)

    # The confirmation email, read in the staff-only demo mailbox from another browser session.
    staff = page.context.browser.new_context(base_url=live_server.url).new_page()
    staff.goto("/admin/login/?next=/demo/mailbox/")
    staff.get_by_label("Email").fill("staff@example.com")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    staff.get_by_role("link", name=re.compile("Please confirm your email address")).click()
    link = staff.locator(".email-links a").filter(has_text="/accounts/confirm-email/").first.get_attribute("href")
    staff.context.close()

    page.goto(link)
    axe_check(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Signed in as ada@example.com")
    axe_check(page)
    assert User.objects.get(email="ada@example.com").age_band == "adult"
