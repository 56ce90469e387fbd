"""What every benchmark shares: a throwaway PostgreSQL database of its own, migrated, dropped afterwards.

DATABASE_URL names the server; its database name is replaced by a private one, so a benchmark never touches data
it did not create.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@contextmanager
def throwaway_database(
    prefix: str, *, keep: bool = False, env: dict[str, str] | None = None, via: str | None = None
) -> Iterator[None]:
    """Create `<prefix>_<pid>`, point Django at it (no Redis: Celery eager or in-memory), migrate, yield, drop.

    `via` ("host:port", a PgBouncer): Django connects through it; the database is created and dropped directly.
    """
    import psycopg

    server = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    name = f"{prefix}_{os.getpid()}"
    django_server = server._replace(netloc=f"{server.username or 'postgres'}@{via}") if via else server
    os.environ["DATABASE_URL"] = urlunsplit(django_server._replace(path=f"/{name}"))
    os.environ.pop("REDIS_URL", None)
    os.environ.update(env or {})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    admin_url = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine_yardstick() -> float:
    """CPU seconds this machine takes for a fixed pure-Python loop (sum(range(10,000,000)), the best of 3).

    Machines of one kind differ: the same code measured 0.098 worker CPU s per 1,000 messages (SendGrid) on one and
    0.266 to 0.280 on another (a yardstick of 0.18 to 0.31 s there). Printing it beside the figures lets two runs
    be compared."""
    import time

    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        sum(range(10_000_000))
        best = min(best, time.process_time() - started)
    return best
