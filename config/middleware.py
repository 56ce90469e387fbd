"""Project-wide request hygiene (wired in settings.MIDDLEWARE)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse
from django.views.defaults import bad_request

BROKEN_BYTE = re.compile(r"%[0-9A-Fa-f]{2}")
MAX_URL_PART = 8192  # bytes of path or of query string; gunicorn's own request line limit is 4094


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
