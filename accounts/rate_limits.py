"""How allauth's rate-limit counters are named in the cache (CACHES["default"]["KEY_FUNCTION"]).

allauth names a counter after the client IP (`allauth:rl:allauth.account:login:30/60.0/ip:203.0.113.9`), so Redis
would hold every visitor's full IP. Each such name is replaced by a keyed hash of it: the counters work the same,
and nobody reading Redis learns an address. Other keys keep Django's default form.
"""

from __future__ import annotations

from django.utils.crypto import salted_hmac

RATE_LIMIT_PREFIX = "allauth:rl:"


def cache_key(key: str, key_prefix: str, version: int | str) -> str:
    if key.startswith(RATE_LIMIT_PREFIX):
        key = RATE_LIMIT_PREFIX + salted_hmac("accounts.rate_limits", key, algorithm="sha256").hexdigest()
    return f"{key_prefix}:{version}:{key}"
