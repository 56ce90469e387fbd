"""Shared fixtures. Tests run against real PostgreSQL and Redis (DATABASE_URL, REDIS_URL).

With REQUIRE_SERVICES=1 (CI) an unreachable service fails the run instead of skipping what needs it.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# No timed unit tests: hypothesis' per-example deadline fails on a loaded CI machine (speed goes in benchmarks/).
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    if not REQUIRE_SERVICES:
        return
    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL must point at PostgreSQL when REQUIRE_SERVICES=1")
    elif not _reachable(os.environ.get("DATABASE_URL", ""), 5432):
        problems.append("PostgreSQL is unreachable")
    if not settings.REDIS_URL or not _reachable(settings.REDIS_URL, 6379):
        problems.append("Redis is unreachable (REDIS_URL)")
    if problems:
        pytest.exit("REQUIRE_SERVICES=1 but " + "; ".join(problems), returncode=3)


@pytest.fixture
def redis_url() -> str:
    if not settings.REDIS_URL or not _reachable(settings.REDIS_URL, 6379):
        if REQUIRE_SERVICES:
            pytest.fail("Redis is required (REQUIRE_SERVICES=1) but unreachable")
        pytest.skip("Redis is not available (set REDIS_URL)")
    return settings.REDIS_URL


@pytest.fixture(autouse=True)
def _isolated_environment(settings, tmp_path, request):
    """Each test: eager Celery (integration tests opt out), private mailbox and media directories, a clean cache."""
    from django.core.cache import cache
    from django.utils import translation

    from config.celery import app

    settings.MAILBOX_DIR = tmp_path / "mail"
    settings.MEDIA_ROOT = tmp_path / "media"  # product photos and their renditions
    eager = request.node.get_closest_marker("integration") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    _clear_cache(cache)
    # A request through LocaleMiddleware leaves its language active in this thread (as in production, where the next
    # request sets its own): each test starts in the default language, whatever the previous one asked for.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
    app.conf.task_always_eager = previous
    _clear_cache(cache)


def _clear_cache(cache) -> None:
    if settings.REDIS_URL:
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(f"{cache.key_prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture
def staff_groups(db):
    """The staff groups (privacy.staff_groups), which every migrate and every flush's post_migrate keep."""
    from django.contrib.auth.models import Group

    return {group.name: group for group in Group.objects.filter(name__in=["Privacy officer", "Support"])}


@pytest.fixture
def demo_mode(settings):
    """What `make demo` runs (DEMO=1): the demo app installed, its URLs mounted, the file mail sink."""
    import config.urls  # noqa: F401 (read the project's URLconf as this process's settings have it, DEMO off)

    settings.DEMO = True
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "demo"]
    settings.ROOT_URLCONF = "tests.demo_urls"
    settings.EMAIL_BACKEND = "demo.mailbox.FileMailboxBackend"
    return settings


@pytest.fixture
def mailoutbox_anymail(settings, mailoutbox):
    """Like pytest-django's mailoutbox, through anymail's test backend so tags and metadata can be asserted."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    return mailoutbox


@pytest.fixture(scope="session")
def _esp_server_session():
    from benchmarks.esp_server import EspServer

    server = EspServer(latency_ms=0, record=True).start()
    yield server
    server.stop()


@pytest.fixture
def esp_server(_esp_server_session):
    """The stand-in ESP server (benchmarks/esp_server.py) in a thread, recording every delivery; reset per test."""
    _esp_server_session.reset()
    _esp_server_session.latency = 0
    return _esp_server_session


@pytest.fixture
def unscreened_client():
    """A browser that has never answered the age screen (the `client` fixture has, as an adult)."""
    from django.test import Client

    return Client()


@pytest.fixture
def client(client):
    """pytest-django's client as a browser that answered the guest forms' age screen once, as an adult
    (accounts.age_screen.pass_browser): tests of the forms themselves start past it. Tests of the screen use
    `unscreened_client`."""
    from tests.factories import past_age_screen

    return past_age_screen(client)
