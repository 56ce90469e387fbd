"""Attack tests: each file performs one attack from the security review and asserts it now fails."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from tests.shop.conftest import product, shopper, shopper_client  # noqa: F401
from tests.subscriptions.conftest import ledger, subscriber, topics  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]

# What the README's production-like run sets (each key its own long random value).
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "prod-Zr8v1qk3Yt0mWq9LxC2nB7sD4fG6hJ8kL0pO3iU5yT7rE9wQ1aS",
    "SUBSCRIPTIONS_SUPPRESSION_KEY": "supp-Hk4nB8vC1xZ3mQ7wE9rT2yU5iO0pA6sD8fG1hJ4kL7zX3cV9bN",
    "PRIVACY_AD_FEED_HASH_KEY": "feed-Pq2wE4rT6yU8iO0pA1sD3fG5hJ7kL9zX2cV4bN6mQ8wE0rT3yU",
    "SITE_URL": "https://shop.example.com",
    "ALLOWED_HOSTS": "shop.example.com",
    "ANYMAIL_WEBHOOK_SECRET": "webhook:Wb7nQ2xZ5cV8mK1jH4gF6dS9aL3pO0iU",
}


@pytest.fixture
def manage(tmp_path):
    """Run manage.py in a fresh process with the production environment, changed by `overrides` (None unsets)."""

    def run(*args: str, **overrides: str | None) -> subprocess.CompletedProcess:
        env = {**os.environ, **PRODUCTION_ENV, "VAR_DIR": str(tmp_path)}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        for name, value in overrides.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )

    return run


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # a transaction otherwise sees one frozen snapshot
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def simultaneously():
    """Run callables in real threads (each with its own PostgreSQL connection) so that they reach a row lock at the
    same moment: the test holds `lock()` (a SELECT ... FOR UPDATE) until every thread waits on it, then lets go.

    This is what a double-click or two browser tabs do, made deterministic: both requests pass every check
    before either one writes. Returns each callable's result (or raises the first exception)."""

    def run(lock: Callable[[], Any], *calls: Callable[[], Any], timeout: float = 30) -> list[Any]:
        results: list[Any] = [None] * len(calls)
        errors: list[BaseException] = []

        def worker(index: int, call: Callable[[], Any]) -> None:
            try:
                results[index] = call()
            except BaseException as error:  # reported to the test thread
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
        with transaction.atomic():
            lock()
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + timeout
            while _waiting_on_locks() < len(calls):
                if time.monotonic() > deadline:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT state, wait_event_type, wait_event, left(query, 200) FROM pg_stat_activity "
                            "WHERE datname = current_database()"
                        )
                        pytest.fail(f"the requests never met at the lock: {cursor.fetchall()}")
                assert all(thread.is_alive() for thread in threads) or errors, "a request finished before the lock"
                if errors:
                    break
                time.sleep(0.05)
        for thread in threads:
            thread.join(timeout)
        if errors:
            raise errors[0]
        return results

    return run
