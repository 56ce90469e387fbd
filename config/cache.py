"""The cache backend: Redis, falling back to a per-process memory cache while Redis does not answer.

Rate limits (allauth's, the subscribe and review throttles, the contact form's) and nothing else live in the cache.
When Redis is down they keep counting in each process's memory instead of failing the request, so signup,
subscribe and checkout keep working (the limits are per process until Redis is back, then shared again).
allauth's rate limiter takes a lock with `cache.add`: a cache that swallowed errors would make it refuse everyone,
hence a working fallback rather than an error-swallowing one.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
RETRY_AFTER_SECONDS = 5.0


class FallbackRedisCache(RedisCache):
    """Django's RedisCache; while Redis fails, calls go to a LocMemCache and Redis is retried every few seconds."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        # A stopped Redis refuses at once; a hung one must not hold a request for long either.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        super().__init__(server, {**params, "OPTIONS": options})
        self._fallback = LocMemCache(f"fallback-{id(self)}", params)
        self._down_until = 0.0

    @property
    def redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args, **kwargs):
        if not self.redis_down:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except REDIS_DOWN:
                logger.warning("Redis cache unreachable: using the per-process fallback for %.0fs", RETRY_AFTER_SECONDS)
                self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, key, value, timeout=None, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=None, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=None, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")

    def ping(self) -> None:
        """Raise unless Redis itself answers (for /readyz; the fallback does not count)."""
        self._cache.get_client(write=True).ping()
