"""Fixtures shared by the attack tests (each file in this folder performs one attack from issue 12)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction

from tests.shop.conftest import product, shopper, shopper_client  # noqa: F401
from tests.subscriptions.conftest import ledger, subscriber, topics  # noqa: F401


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
