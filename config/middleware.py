"""A database that does not answer (restarting, failing over) gets a calm "please try again" page, not a 500."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After when a request fails because the database connection is down.

    The page is rendered without context processors (they query the database). Whatever the request was writing
    was inside a transaction that never committed, so the page can say nothing was saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable during %s: %s", request.method, type(exception).__name__)
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        html = render_to_string("try_again.html", {"shop_name": settings.SHOP_NAME})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "5"
        return response
