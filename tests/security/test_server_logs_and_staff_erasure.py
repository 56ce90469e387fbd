"""Item 21: gunicorn's own error log wrote full client IPs and unredacted paths; rate-limit keys in Redis held full
IPs; a privacy officer alone could erase staff and superuser accounts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from importlib import import_module

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from privacy.data_rights import open_request
from privacy.models import DataRequest
from tests.factories import StaffFactory, UserFactory
from tests.security.conftest import PRODUCTION_ENV, ROOT

TOKEN = "Zx81kLmQ0pRtY7uWvB3nC5dE9fG2hJ4kL6mN8pQ"
SECRET_PATH = f"/unsubscribe/{TOKEN}/?email=grace@example.com&s=1"


GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn", "config.wsgi"]


def privacy_officer_group() -> Group:
    """The group as privacy's migration 0008 makes it (a browser test's database flush may have removed it)."""
    codenames = import_module("privacy.staff_groups").PRIVACY_OFFICER
    group, _ = Group.objects.get_or_create(name="Privacy officer")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="privacy", codename__in=codenames))
    return group


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorns_error_log_holds_no_client_ip_path_or_query(tmp_path):
    port, error_log = free_port(), tmp_path / "error.log"
    env = {**os.environ, **PRODUCTION_ENV, "ALLOWED_HOSTS": "127.0.0.1", "VAR_DIR": str(tmp_path)}
    env["SITE_URL"] = "http://127.0.0.1"
    server = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [*GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "1", "--error-logfile", str(error_log)],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while b"Booting worker" not in (error_log.read_bytes() if error_log.exists() else b""):
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        time.sleep(1)
        # The attack on the log: malformed request lines that gunicorn reports with the client's IP and the line.
        for line in [f"GET {SECRET_PATH} HTTP/1.1 trailing", f"G\x01T {SECRET_PATH} HTTP/1.1"]:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(line.encode() + b"\r\nHost: 127.0.0.1\r\n\r\n")
                sock.recv(1024)
        time.sleep(1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = error_log.read_text()
    assert "Invalid request from ip=<ip>" in log  # the lines are there...
    for secret in ["127.0.0.1", TOKEN, "grace@example.com", "email=", "s=1"]:
        assert secret not in log  # ...without what identifies the client or the link


def test_the_error_handling_line_keeps_no_uri(tmp_path):
    """gunicorn's "Error handling request <uri>" (an exception outside Django) through the same logger."""
    from gunicorn.config import Config

    from config.gunicorn import RedactingLogger

    cfg = Config()
    cfg.set("errorlog", str(tmp_path / "error.log"))
    logger = RedactingLogger(cfg)
    try:
        raise RuntimeError("boom from 2001:db8::42")
    except RuntimeError:
        logger.exception("Error handling request %s", SECRET_PATH)
    text = (tmp_path / "error.log").read_text()
    assert "Error handling request /unsubscribe/<token>/?<query>" in text
    for secret in [TOKEN, "grace@example.com", "2001:db8::42"]:
        assert secret not in text


@pytest.mark.django_db
def test_no_full_ip_in_the_rate_limit_keys(client, redis_url):
    import redis
    from django.conf import settings

    owner = UserFactory()
    client.post(reverse("account_login"), {"login": owner.email, "password": "wrong"}, REMOTE_ADDR="203.0.113.50")
    connection = redis.Redis.from_url(redis_url)
    keys = [key.decode() for key in connection.scan_iter(f"{settings.CACHE_KEY_PREFIX}:*")]
    assert any(":allauth:rl:" in key for key in keys)  # the counters are there
    for key in keys:
        assert "203.0.113.50" not in key
        assert owner.email not in key


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["staff", "superuser"])
def test_a_privacy_officer_cannot_erase_a_staff_account(client, target):
    officer = StaffFactory(is_superuser=False)
    officer.groups.add(privacy_officer_group())
    victim = StaffFactory(is_superuser=target == "superuser")
    pending = open_request(kind="erasure", user=victim)
    DataRequest.objects.filter(pk=pending.pk).update(status="verified", verified_at=timezone.now())

    client.force_login(officer)
    url = reverse("admin:privacy_datarequest_changelist")
    response = client.post(url, {"action": "run_erasure", "_selected_action": [pending.pk]}, follow=True)
    assert "only a superuser may erase a staff account" in response.content.decode()
    victim.refresh_from_db()
    assert victim.is_active
    assert victim.is_staff
    pending.refresh_from_db()
    assert pending.status == "verified"

    # A superuser can.
    client.force_login(StaffFactory())
    client.post(url, {"action": "run_erasure", "_selected_action": [pending.pk]})
    victim.refresh_from_db()
    assert not victim.is_active
