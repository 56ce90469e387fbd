"""Signing in through the browser as a person does: allauth's form, then the second factor when the account has one
(staff always do: tests.factories.StaffFactory gives them an authenticator app)."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

from tests.factories import PASSWORD, totp_code

# user id -> the TOTP window of that user's last code: allauth refuses a code twice, so the next sign-in waits.
_last_window: dict[int, int] = {}


def log_in(page, email: str, password: str = PASSWORD, next_url: str | None = None) -> None:
    page.goto("/accounts/login/" + (f"?{urlencode({'next': next_url})}" if next_url else ""))
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
    if "/2fa/authenticate/" in page.url:
        from accounts.models import User

        user_id = User.objects.get(email__iexact=email).pk
        last = _last_window.get(user_id)
        code = totp_code(not_before=None if last is None else last + 1)
        _last_window[user_id] = int(time.time()) // 30
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Sign In", exact=True).click()
        page.wait_for_url(re.compile(r"^(?!.*/2fa/authenticate/).*$"))
