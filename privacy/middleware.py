"""Request-time privacy: Global Privacy Control for signed-in shoppers, and the AccessLog."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from . import selectors, services
from .app_settings import app_settings

logger = logging.getLogger(__name__)


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
        if user_id is not None:
            try:
                services.log_access(request=request, status=response.status_code, user_id=user_id)
            except DatabaseError:
                logger.exception("AccessLog write failed")
        return response
