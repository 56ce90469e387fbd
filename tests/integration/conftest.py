"""A real Celery worker process consuming from Redis, against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from kombu.exceptions import OperationalError

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    ready_marker = b"ready."

    def __init__(self, *, queue: str, env: dict[str, str], log: Path, hostname: str | None = None) -> None:
        self.queue, self.env, self.log, self.hostname = queue, env, log, hostname
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        command = [
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            self.queue,
        ]
        # A node name of its own: on RabbitMQ two workers named alike (other test runs) fight over one pidbox queue.
        return [*command, f"--hostname={self.hostname or self.queue.split(',')[0] + '@%h'}"]

    def start(self) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", *self.command(), "--loglevel=INFO"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120  # a loaded CI machine: a cold Celery start can take a minute
        while time.monotonic() < deadline:
            if self.ready_marker in self.log.read_bytes()[offset:]:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(
            f"Celery {self.command()[0]} did not start:\n" + self.log.read_text(errors="replace")[-3000:]
        )

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


class Beat(Worker):
    """A `celery beat` process (django-celery-beat's DatabaseScheduler, as in production)."""

    ready_marker = b"beat: Starting"

    def command(self) -> list[str]:
        return ["beat", "--pidfile=", f"--schedule={self.log.with_suffix('.schedule')}"]


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
    try:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    except OperationalError:
        pass  # a fault drill that failed with its broker down: the queue went with it


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


@contextmanager
def broker_url(url: str):
    """Point this process's Celery producer at another broker for the duration."""
    from config.celery import app

    def reset() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    app.conf.broker_url = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = previous
        reset()


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own (broker and cache), which the test may stop and start."""
    from .services import PrivateRedis

    redis = PrivateRedis(tmp_path)
    redis.start()
    cache = {"default": {"BACKEND": "config.cache.FallbackRedisCache", "LOCATION": redis.url, "KEY_PREFIX": "drill"}}
    from config.celery import app

    # With Redis as the broker (the default), the private Redis is the broker too; RabbitMQ stays RabbitMQ.
    broker = redis.url if app.conf.broker_url.startswith("redis") else app.conf.broker_url
    with broker_url(broker), override_settings(CACHES=cache):
        yield redis
    redis.stop()


@pytest.fixture
def private_postgres(transactional_db):
    """A PostgreSQL cluster of this test's own, holding a copy of the (migrated, empty) test database.

    This process and any worker started after this fixture use it; the test may restart it at will. The shared
    cluster is never touched.
    """
    from .services import PrivateCluster

    cluster = PrivateCluster()
    cluster.init()
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in ("HOST", "PORT")}
    cluster.copy_database(source_url=database_url(), name=settings_dict["NAME"])
    connection.close()
    settings_dict.update(HOST="127.0.0.1", PORT=str(cluster.port))
    try:
        yield cluster
    finally:
        connection.close()
        settings_dict.update(saved)
        cluster.destroy()
