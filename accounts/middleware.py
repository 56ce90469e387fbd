"""A signed-in person's saved language comes before their browser's Accept-Language (issue 16; docs/i18n.md)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class AccountLanguageMiddleware:
    """After LocaleMiddleware and AuthenticationMiddleware: with no language cookie (a new browser, a cleared
    cookie), a signed-in person's saved language is used rather than Accept-Language. The cookie, set by the header's
    language switcher, always wins: it is the latest choice."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            user = getattr(request, "user", None)
            language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
            if language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
