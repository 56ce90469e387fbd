"""The under-13 refusal: a signed cookie, never a row, a session or a log line.

Once a browser answered with an age under the minimum, every answer is refused for
ACCOUNTS_AGE_REFUSAL_HOURS, so the back button cannot be used to try another date.

The same screen guards every form that collects a guest's personal data (`guest_age_screen`): a browser answers
it once; an accepted answer leaves a signed cookie holding only the age band (ACCOUNTS_AGE_PASS_DAYS), a refused
one the same 24-hour refusal as signup. Logged-in accounts attested their age at signup and skip it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlencode

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .app_settings import app_settings
from .models import AgeBand

SALT = "accounts.age_screen"


def is_refused(request: HttpRequest) -> bool:
    value = request.get_signed_cookie(
        app_settings.REFUSAL_COOKIE, default=None, salt=SALT, max_age=app_settings.AGE_REFUSAL_HOURS * 3600
    )
    return value == "refused"


def refuse(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Refuse this browser: any answer given before (an adult band in the session) is forgotten, and the signed
    cookie (Secure over HTTPS) keeps refusing for ACCOUNTS_AGE_REFUSAL_HOURS."""
    forget(request)
    response.delete_cookie(app_settings.PASS_COOKIE, samesite="Lax")
    response.set_signed_cookie(
        app_settings.REFUSAL_COOKIE,
        "refused",
        salt=SALT,
        max_age=app_settings.AGE_REFUSAL_HOURS * 3600,
        httponly=True,
        secure=request.is_secure(),
        samesite="Lax",
    )
    return response


def remember(request: HttpRequest, band: AgeBand) -> None:
    """Keep only the band (never the date) in the session until the account is created."""
    request.session[app_settings.SESSION_KEY] = signing.dumps(str(band), salt=SALT)


def band(request: HttpRequest) -> str | None:
    token = request.session.get(app_settings.SESSION_KEY)
    if not token:
        return None
    try:
        value = signing.loads(token, salt=SALT, max_age=2 * 3600)
    except signing.BadSignature:
        return None
    return value if value in AgeBand.values else None


def forget(request: HttpRequest) -> None:
    request.session.pop(app_settings.SESSION_KEY, None)


def pass_browser(request: HttpRequest, response: HttpResponse, band: AgeBand) -> HttpResponse:
    """Remember for ACCOUNTS_AGE_PASS_DAYS that this browser gave an accepted age: only the band, never the date."""
    response.set_signed_cookie(
        app_settings.PASS_COOKIE,
        str(band),
        salt=SALT + ".pass",
        max_age=app_settings.AGE_PASS_DAYS * 86400,
        httponly=True,
        secure=request.is_secure(),
        samesite="Lax",
    )
    return response


def passed(request: HttpRequest) -> bool:
    """May this request use a guest form? A logged-in account (attested at signup) or a browser that passed the
    screen and wasn't refused since."""
    if request.user.is_authenticated:
        return True
    if is_refused(request):
        return False
    value = request.get_signed_cookie(
        app_settings.PASS_COOKIE, default=None, salt=SALT + ".pass", max_age=app_settings.AGE_PASS_DAYS * 86400
    )
    return value in AgeBand.values


def refusal_page(request: HttpRequest) -> HttpResponse:
    """The neutral refusal shown by guest forms (403)."""
    return render(request, "accounts/age_refused_form.html", status=403)


def guest_age_screen(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Put a view that collects a guest's personal data behind the age screen.

    A refused browser gets the refusal page whatever it sends (a POST's answers are dropped unread); a browser that
    hasn't answered is sent to the screen, and back here afterwards (a POST's answers are dropped too)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if is_refused(request):
            return refusal_page(request)
        if not passed(request):
            return redirect(reverse("accounts:age_check") + "?" + urlencode({"next": request.get_full_path()}))
        return view(request, *args, **kwargs)

    return wrapper
