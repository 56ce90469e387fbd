"""The one rate limiter: fixed windows counted in Django's cache (Redis in production).

It lives in the lowest app that needs one (privacy: the guest data-request page); subscriptions, accounts, shop and
reviews use it too, through `subscriptions.throttle` or here. Keys hold a keyed hash (HMAC with
SECRET_KEY) of what is counted, so the cache never holds an email or IP address, nor anything that a dictionary of
IP addresses could reverse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import cache
from django.utils.crypto import salted_hmac

if TYPE_CHECKING:
    from django.http import HttpRequest


def allow(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt for `key` in `scope`; False once more than `limit` happened in the window.
    A refused attempt still counts, so hammering does not help."""
    digest = salted_hmac("throttle", key, algorithm="sha256").hexdigest()[:32]
    cache_key = f"throttle:{scope}:{digest}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def client_ip(request: HttpRequest) -> str:
    """What a guest's attempts are counted under: the client's IP address ("unknown" without one). Counted as is:
    `allow` hashes every key."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
