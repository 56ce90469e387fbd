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


@pytest.mark.django_db
def test_every_demo_page_says_where_the_emails_go(demo_mode, client):
    engine = settings.TEMPLATES[0]
    processors = [*engine["OPTIONS"]["context_processors"], "demo.context_processors.demo"]
    demo_mode.TEMPLATES = [{**engine, "OPTIONS": {**engine["OPTIONS"], "context_processors": processors}}]
    page = client.get("/shop/").content.decode()
    assert 'class="demo-banner"' in page
    assert 'href="/demo/mailbox/"' in page


def test_outside_demo_mode_no_page_has_the_demo_banner(client, db):
    assert "demo-banner" not in client.get("/shop/").content.decode()


@pytest.mark.django_db
def test_a_shoppers_confirmation_link_opens_in_a_session_of_its_own(demo_mode, admin_client, tmp_path):
    """Following a shopper's link in the staff session signs staff out (allauth); the mailbox offers the same link
    on the shop's other local name, where the browser keeps separate cookies."""
    from django.core.mail import EmailMessage

    from demo import mailbox

    demo_mode.MAILBOX_DIR = str(tmp_path)
    EmailMessage("Confirm", "Confirm: http://127.0.0.1:8000/accounts/confirm-email/KEY/", to=["ada@example.com"]).send()
    [stored] = mailbox.list_emails()
    page = admin_client.get(f"/demo/mailbox/{stored.name}/", HTTP_HOST="127.0.0.1:8000").content.decode()
    assert 'href="http://localhost:8000/accounts/confirm-email/KEY/" target="_blank"' in page
    page = admin_client.get(f"/demo/mailbox/{stored.name}/", HTTP_HOST="localhost:8000").content.decode()
    assert 'href="http://127.0.0.1:8000/accounts/confirm-email/KEY/" target="_blank"' in page
