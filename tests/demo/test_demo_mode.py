"""Demo mode is explicit (DEMO=1): outside it the demo app, its URLs and its mail sink don't exist, and a deploy
check refuses to pass while it is on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_outside_demo_mode_the_demo_app_and_its_mailbox_do_not_exist(client):
    assert not settings.DEMO
    assert not apps.is_installed("demo")
    assert client.get("/demo/mailbox/").status_code == 404


@pytest.mark.django_db
def test_in_demo_mode_the_mailbox_is_mounted(demo_mode, admin_client):
    assert admin_client.get("/demo/mailbox/").status_code == 200


def test_check_deploy_fails_while_demo_mode_is_on(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "DEMO": "1",
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "SITE_URL": "https://shop.example.com",
        "ALLOWED_HOSTS": "shop.example.com",
        "VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "demo.E001" in result.stderr + result.stdout
