"""The demo data: every app's seed, run twice, changes nothing the second time."""

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command

from tests.factories import launch_topics


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_seed_demo_loads_every_app_and_is_idempotent(capsys, demo_mode):
    launch_topics()
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Staff login: staff@example.com / " in out
    first = row_counts()
    for label in ["accounts.User", "subscriptions.Subscriber", "shop.Product", "shop.Order", "reviews.Review"]:
        assert first[label] > 0, label
    call_command("seed_demo")
    assert "Staff login: staff@example.com (password printed on the first run" in capsys.readouterr().out
    second = row_counts()
    changed = {label: (first[label], second[label]) for label in first if first[label] != second[label]}
    assert changed == {}


@pytest.mark.django_db
def test_the_demo_mailing_reaches_only_eligible_people_and_the_audit_stays_clean(
    demo_mode, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    launch_topics()
    call_command("seed_demo")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_mailing")
    recipients = {m.to[0] for m in mail.outbox if m.subject == "Winter picks"}
    assert "ada@example.com" in recipients
    for never in ["tim@example.com", "grace@example.com", "guest.unconfirmed@example.com", "guest.bounced@example.com"]:
        assert never not in recipients
    out = io.StringIO()
    call_command("privacy_audit", stdout=out)  # exits 1 on any finding
    assert ", 0 with findings." in out.getvalue()


def test_the_zero_setup_demo_runs_on_sqlite_with_eager_tasks(tmp_path):
    """`make demo`'s path: SQLite under VAR_DIR, no Redis, the file mail sink; then a mailing slot runs."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    drop = {
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_BACKEND",
        "CELERY_TASK_ALWAYS_EAGER",
        "PYTEST_XDIST_WORKER",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "MAILBOX_DIR",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop} | {"DEBUG": "1", "DEMO": "1", "VAR_DIR": str(tmp_path)}
    for command in (["migrate", "-v0"], ["seed_demo"], ["send_mailing"]):
        result = subprocess.run(  # noqa: S603 (our own manage.py)
            [sys.executable, "manage.py", *command],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert "No hostname was supplied" not in result.stderr  # kombu's warning when the eager broker had no host
    assert (tmp_path / "db.sqlite3").exists()
    assert "planned 1 edition(s)" in result.stdout
    # a summary a person reads: the edition by subject and topic, where its deliveries stand, in words
    assert re.search(
        r'#\d+ "Winter picks" \(Newsletter and special offers\): \d+ queued, [1-9]\d* sent, ', result.stdout
    )
    subjects = [p.read_text(errors="replace") for p in (tmp_path / "mail").glob("*.eml")]
    assert any("Subject: Winter picks" in text for text in subjects)
