"""Signing in through the browser as a person does: allauth's form, then the second factor when the account has one
(staff always do: tests.factories.StaffFactory gives them an authenticator app)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from tests.factories import PASSWORD, totp_code


def log_in(page, email: str, password: str = PASSWORD, next_url: str | None = None) -> None:
    page.goto("/accounts/login/" + (f"?{urlencode({'next': next_url})}" if next_url else ""))
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
    if "/2fa/authenticate/" in page.url:
        page.get_by_label("Code").fill(totp_code())
        page.get_by_role("button", name="Sign In", exact=True).click()
        page.wait_for_url(re.compile(r"^(?!.*/2fa/authenticate/).*$"))
