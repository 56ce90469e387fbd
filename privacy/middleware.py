"""Request-time privacy: Global Privacy Control for signed-in shoppers, and the AccessLog."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from . import selectors, services
from .app_settings import app_settings

logger = logging.getLogger(__name__)


class ConsentMiddleware:
    """For signed-in requests: record a Global Privacy Control signal (`Sec-GPC: 1`) once per account, and
    adopt the answer this browser gave the cookie banner before signing in if the account has none yet (so a
    "Reject all" given as a guest also keeps the account out of the ad feed).

    Costs one SELECT per signed-in request (the PrivacySettings row, reused by the page for the cookie
    choice) and a write only the first time. Place it after AuthenticationMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            row = selectors.settings_for_request(request)
            if selectors.sends_gpc(request) and (row is None or row.gpc_recorded_at is None):
                services.record_gpc_signal(user=request.user, request=request)
                selectors.forget_request_cache(request)
            if request.method == "GET" and (row is None or row.cookies_chosen_at is None):
                browser_choice = selectors.guest_choice(request)
                if browser_choice is not None:
                    services.save_cookie_choice(user=request.user, categories=browser_choice.allowed, request=request)
                    selectors.forget_request_cache(request)
        return self.get_response(request)


class AccessLogMiddleware:
    """Writes one AccessLog row per signed-in request under PRIVACY_ACCESS_LOG_PATH_PREFIXES (account and
    privacy pages, token links). A prefix test first, so other requests cost nothing. A failed write is
    reported and never breaks the page. Place it after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.prefixes = app_settings.ACCESS_LOG_PATH_PREFIXES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.prefixes):
            return self.get_response(request)
        before = request.user.pk if request.user.is_authenticated else None  # a logout ends signed out
        response = self.get_response(request)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else before
        if user_id is not None and not getattr(request, "_access_logged", False):
            try:
                services.log_access(request=request, status=response.status_code, user_id=user_id)
            except DatabaseError:
                logger.exception("AccessLog write failed")
        return response
