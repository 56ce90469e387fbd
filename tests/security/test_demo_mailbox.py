"""Issue 12, item 1: any staff account became superuser through the demo mailbox. The attack: a Support user asks
for a password reset for the superuser, reads the reset link in /demo/mailbox/ and sets a new password.
Now the mailbox exists only in demo mode, only for superusers, and check --deploy refuses demo mode."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from demo import mailbox
from tests.factories import StaffFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
RESET_LINK = re.compile(r"/accounts/password/reset/key/[^\s\"'<]+")


@pytest.fixture
def superuser(db):
    return StaffFactory(email="root@example.com")


@pytest.fixture
def support_client(client, db):
    support = UserFactory(email="support@example.com", is_staff=True, is_superuser=False)
    support.groups.add(Group.objects.get_or_create(name="Support")[0])
    client.force_login(support)
    return client


def request_reset(client, email: str) -> None:
    response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302


@pytest.mark.django_db
def test_support_cannot_read_the_superusers_reset_link_in_demo_mode(demo_mode, superuser, support_client, client):
    request_reset(client, superuser.email)
    [reset] = [e for e in mailbox.list_emails() if e.to == superuser.email]
    assert RESET_LINK.search(reset.text)  # the link the attacker is after is in the sink

    for url in ["/demo/mailbox/", f"/demo/mailbox/{reset.name}/"]:
        response = support_client.get(url)
        assert response.status_code in {302, 403, 404}, url
        assert not RESET_LINK.search(response.content.decode()), url
        assert reset.name not in response.content.decode()


@pytest.mark.django_db
def test_a_superuser_reads_the_mailbox_in_demo_mode(demo_mode, superuser, client):
    """The control: the same requests as a superuser do show the link, so the test above can fail."""
    request_reset(client, superuser.email)
    [reset] = [e for e in mailbox.list_emails() if e.to == superuser.email]
    client.force_login(superuser)
    assert reset.name in client.get("/demo/mailbox/").content.decode()
    assert RESET_LINK.search(client.get(f"/demo/mailbox/{reset.name}/").content.decode())


@pytest.mark.django_db
def test_outside_demo_mode_there_is_no_mailbox_even_for_a_superuser(superuser, client, settings):
    settings.EMAIL_BACKEND = "demo.mailbox.FileMailboxBackend"  # even if someone points mail at the file sink
    request_reset(client, superuser.email)
    client.force_login(superuser)
    assert client.get("/demo/mailbox/").status_code == 404


def test_check_deploy_fails_in_demo_mode(tmp_path):
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
    assert "demo.E001" in result.stdout + result.stderr
