"""A shopper downloads their data, reviews a changed policy, then deletes their account, in Chromium;
every page passes axe (no serious or critical violations)."""

import datetime
import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from privacy.models import ConsentEvent, DataRequest, PolicyVersion
from tests.factories import PASSWORD, AddressFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_download_my_data_then_delete_my_account(page, axe_check, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    PolicyVersion.objects.create(
        version="2", body="The new text.", effective_at=timezone.now() - datetime.timedelta(days=1), is_material=True
    )
    user = UserFactory(
        email="erin@example.org", first_name="Erin", date_joined=timezone.now() - datetime.timedelta(days=30)
    )
    AddressFactory(user=user, line1="7 Rue Erin")

    page.goto("/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()

    # a material policy change: the banner asks, the policy page records the acknowledgement
    page.goto("/")
    page.get_by_role("link", name="Please review the changes").click()
    axe_check(page)
    page.get_by_role("button", name="I have reviewed the updated policy").click()
    expect(page.get_by_text("you have reviewed the updated privacy policy")).to_be_visible()
    assert ConsentEvent.objects.filter(user=user, purpose="policy", action="acknowledged").exists()

    # download my data (Celery runs eagerly in tests, as in the demo)
    page.goto("/privacy/export/")
    axe_check(page)
    page.get_by_role("button", name="Prepare my data").click()
    page.get_by_role("link", name="Read as a page").click()
    expect(page.get_by_role("heading", name="Your addresses")).to_be_visible()
    expect(page.get_by_text("7 Rue Erin")).to_be_visible()
    axe_check(page)
    page.goto("/privacy/export/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download JSON").click()
    payload = json.loads(open(download_info.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert payload["sections"]["profile"]["items"][0]["email"] == "erin@example.org"

    # delete my account: a wrong password first, then the right one
    page.goto("/privacy/delete/")
    axe_check(page)
    page.get_by_label("Your password").fill("not my password")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That password is not right.")).to_be_visible()
    axe_check(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    axe_check(page)
    user = User.objects.get(pk=user.pk)
    assert not user.is_active
    assert user.email.endswith("@erased.invalid")
    assert DataRequest.objects.get(user=user, kind="erasure").status == "completed"
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
