"""Request-time privacy: Global Privacy Control for signed-in shoppers, and the AccessLog."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import selectors, services


class GlobalPrivacyControlMiddleware:
    """A signed-in browser sending `Sec-GPC: 1` opts the account out of ad-partner sharing, recorded once.

    Costs one SELECT (the PrivacySettings row, reused by the page for the cookie choice) per signed-in request
    carrying the header, and a write only the first time. Place it after AuthenticationMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if selectors.sends_gpc(request) and request.user.is_authenticated:
            row = selectors.settings_for_request(request)
            if row is None or row.gpc_recorded_at is None:
                services.record_gpc_signal(user=request.user, request=request)
                selectors.forget_request_cache(request)
        return self.get_response(request)
