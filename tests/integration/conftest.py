"""A real Celery worker process consuming from Redis, against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, *, queue: str, env: dict[str, str], log: Path) -> None:
        self.queue, self.env, self.log = queue, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-Q",
                self.queue,
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if b"ready." in self.log.read_bytes()[offset:]:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("Celery worker did not start:\n" + self.log.read_text(errors="replace")[-3000:])

    def kill(self, sig: int) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def worker_factory(transactional_db, redis_url, settings, tmp_path):
    """A worker on a private queue, not started yet; tasks sent from the test go through Redis to it."""
    from config.celery import app

    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MAILBOX_DIR": str(settings.MAILBOX_DIR),
        "EMAIL_BACKEND": "demo.mailbox.FileMailboxBackend",
        "SITE_URL": settings.SITE_URL,
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    worker = Worker(queue=queue, env=env, log=tmp_path / "worker.log")
    yield worker
    worker.stop()
    app.conf.task_default_queue = previous_queue
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


@pytest.fixture
def celery_worker(worker_factory):
    worker_factory.start()
    return worker_factory


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout:.0f}s")
