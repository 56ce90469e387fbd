"""Calls in flight: the sending threads' own connections, and the background thread a batch-API chunk's call runs
in while the worker builds the next chunk and records the last (SUBSCRIPTIONS_SEND_PIPELINE).

Only ESP calls leave the main thread: Django's database connections are per thread, so claiming, the send-time
re-check, pause checks and recording outcomes stay in the task's thread. A connection is never shared between
two threads (a requests session is not safe to use from two threads at once): each thread opens its own.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import requests
from django.conf import settings
from requests.utils import get_netrc_auth

from .esp import engine_connection

_threads = threading.local()
_pools: dict[tuple[int, str, int], ThreadPoolExecutor] = {}


def shared_pool(threads: int, name: str = "send") -> ThreadPoolExecutor:
    """One pool of threads per process (per purpose and size), reused by every batch. Keyed by process id: a
    forked worker process gets pools of its own (threads do not survive a fork)."""
    key = (os.getpid(), name, threads)
    if key not in _pools:
        _pools[key] = ThreadPoolExecutor(threads, thread_name_prefix=name)
    return _pools[key]


def thread_connection() -> Any:
    """This thread's own open connection to settings.EMAIL_BACKEND, kept for the next batch (an HTTP session, an
    SES client: building one costs more than a call)."""
    key = (settings.EMAIL_BACKEND, repr(getattr(settings, "ANYMAIL", None)))
    if getattr(_threads, "key", None) != key:
        if getattr(_threads, "connection", None) is not None:
            _threads.connection.close()
        _threads.connection = engine_connection()
        _threads.connection.open()
        settle_environment(_threads.connection)
        _threads.key = key
    return _threads.connection


def settle_environment(connection: Any) -> None:
    """Read once, for this connection's API URL, what requests otherwise reads from the environment on every call
    (HTTP(S)_PROXY and NO_PROXY, REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, ~/.netrc): the same answers, since a worker's
    environment does not change while it runs, for ~0.1-0.3 ms less CPU per call (os.environ scanned twice per
    call). requests' own functions give the answers; the session then stops asking (trust_env off)."""
    session, url = getattr(connection, "session", None), getattr(connection, "api_url", None)
    if not isinstance(session, requests.Session) or not session.trust_env or not url:
        return
    resolved = session.merge_environment_settings(url, {}, None, None, None)
    session.proxies, session.verify = resolved["proxies"], resolved["verify"]
    if session.auth is None:  # a call's own auth (Mailgun's) still wins over this, as over .netrc before
        session.auth = get_netrc_auth(url)
    session.trust_env = False


def reopen(connection: Any) -> None:
    """Before a retry: a fresh connection (SMTP after a drop; a new HTTP session). Opening may fail: the next
    send_messages opens one itself."""
    try:
        connection.close()
        connection.open()
        settle_environment(connection)
    except Exception:  # noqa: S110 (the retry reports the real error)
        pass


class InFlight:
    """Up to `depth` calls running in background threads, oldest first. `depth` 0: every call runs at once in the
    caller's thread (today's order: build, call, record). The caller records each result in its own thread."""

    def __init__(self, depth: int, *, connections: bool = True) -> None:
        self.depth = max(0, depth)
        self.pool = shared_pool(self.depth, "pipeline") if self.depth else None
        self.connections = connections  # False: the call has threads and connections of its own (EachSender)
        self.calls: deque[tuple[Any, Future]] = deque()

    def submit(self, tag: Any, call: Callable[[Any], Any]) -> None:
        """Run `call(connection)`: in a background thread with that thread's own connection, or (depth 0) here at
        once with None (the caller's connection)."""
        if self.pool is None:
            done: Future = Future()
            try:
                done.set_result(call(None))
            except Exception as error:
                done.set_exception(error)
            self.calls.append((tag, done))
        else:
            self.calls.append((tag, self.pool.submit(lambda: call(thread_connection() if self.connections else None))))

    def oldest(self) -> tuple[Any, Any]:
        """Wait for the oldest call: (its tag, its result). Its exception, if it raised one, raises here."""
        tag, future = self.calls.popleft()
        return tag, future.result()

    def wait_all(self) -> None:
        """Let every call still running finish (after an error in the caller: nothing is recorded; the rows stay
        claimed and are sent again, with the same Message-ID, once their lease runs out)."""
        while self.calls:
            _, future = self.calls.popleft()
            with contextlib.suppress(Exception):  # the caller's own error is the one to report
                future.result()
