"""The under-13 refusal: a signed cookie, never a row, a session or a log line.

Once a browser answered with an age under the minimum, every answer is refused for
ACCOUNTS_AGE_REFUSAL_HOURS, so the back button cannot be used to try another date.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse

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
