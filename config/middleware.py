"""Project-wide request hygiene (wired in settings.MIDDLEWARE): malformed URLs get a 400, and a database that does
not answer (restarting, failing over) gets a calm "please try again" page, not a 500."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.defaults import bad_request

logger = logging.getLogger(__name__)

BROKEN_BYTE = re.compile(r"%[0-9A-Fa-f]{2}")
MAX_URL_PART = 8192  # bytes of path or of query string; gunicorn's own request line limit is 4094


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


class MalformedUrlMiddleware:
    """Answer 400 to a URL no page of the site can take, before any view sees it:

    - a NUL byte in the path or the query (PostgreSQL refuses NUL in text: `/shop/?category=%00` was a 500),
    - bytes that are not UTF-8 in the path or the query,
    - a path or query string longer than MAX_URL_PART.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.is_malformed(request):
            return bad_request(request, exception=None)
        return self.get_response(request)

    @staticmethod
    def is_malformed(request: HttpRequest) -> bool:
        path = request.path_info  # Django re-percent-encodes bytes that are not UTF-8 ("%FF")
        raw_query = request.META.get("QUERY_STRING", "")
        if len(path) > MAX_URL_PART or len(raw_query) > MAX_URL_PART:
            return True
        # A "%XX" left in the decoded path is a byte that was not UTF-8 (or an encoded "%", which no URL here has).
        if "\x00" in path or BROKEN_BYTE.search(path):
            return True
        query = unquote_to_bytes(raw_query.replace("+", " "))
        if b"\x00" in query:
            return True
        try:
            query.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False
