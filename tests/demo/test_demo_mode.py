"""Demo mode is explicit (DEMO=1): outside it the demo app and its URLs don't exist (the deploy check that refuses
demo mode is in tests/security/test_demo_mailbox.py)."""

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
