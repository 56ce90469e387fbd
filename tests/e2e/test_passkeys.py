"""Item 10, in the browser: a shopper adds a passkey (Chromium's virtual authenticator stands in for a phone or a
security key) under the Content-Security-Policy, then signs in with it and no password."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.e2e.sign_in import log_in
from tests.factories import PASSWORD, UserFactory


@pytest.mark.django_db(transaction=True)
def test_a_shopper_adds_a_passkey_and_signs_in_with_it(page):
    user = UserFactory()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    console = []
    page.on("console", lambda m: console.append(m.text))

    log_in(page, user.email)
    page.goto("/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:  # adding a sign-in method asks for the password again
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url(re.compile(r"/webauthn/add/"))
    page.get_by_label("Name").fill("My phone")
    page.get_by_label("Passwordless").check()
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(re.compile(r"^(?!.*webauthn/add).*$"))
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 1

    # Sign out, then in again with the passkey alone.
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(re.compile(r"^(?!.*login).*$"))
    page.goto("/accounts/profile/")
    expect(page.locator("#id_first_name")).to_have_value(user.first_name)
    assert not [text for text in console if "Content Security Policy" in text]
