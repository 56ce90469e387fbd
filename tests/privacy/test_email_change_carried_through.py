"""Issue 13, item 3: a verified change of the account's address is carried through every app. The newsletter
subscriber follows (with a ConsentEvent); "download my data" and "delete my account" cover every address the
account ever verified; privacy_audit finds nothing afterwards."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from privacy.models import ConsentEvent, DataExport
from reviews.models import Review
from shop.models import Contest, ContestEntry, SupportTicket
from subscriptions.models import SentEmail, Subscriber
from tests.factories import PASSWORD, ProductFactory, ReviewFactory, SubscriberFactory, SubscriptionFactory, UserFactory

OLD = "first.address@example.org"
NEW = "second.address@example.org"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def audit() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("privacy_audit", stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def change_email(client, user, mailoutbox) -> None:
    """The shopper adds the new address, confirms it from the emailed link and (unless allauth's change-email mode
    does it at once) makes it the primary address."""
    assert client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}).status_code == 302
    before = len(mailoutbox)
    client.post(reverse("account_email"), {"action_add": "", "email": NEW})
    link = next(
        match.group(0)
        for message in mailoutbox[before:]
        if NEW in message.to
        for match in [re.search(r"http://[^\s]+/accounts/confirm-email/[^\s/]+/", message.body)]
        if match
    )
    path = link.split("testserver", 1)[-1] if "testserver" in link else re.sub(r"^https?://[^/]+", "", link)
    client.post(path)
    if User.objects.get(pk=user.pk).email != NEW:
        client.post(reverse("account_email"), {"action_primary": "", "email": NEW})
    assert User.objects.get(pk=user.pk).email == NEW


@pytest.fixture
def person_with_history(topics):
    user = UserFactory(email=OLD, first_name="Prima", last_name="Address")
    subscriber = SubscriberFactory(email=OLD, user=user)
    SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"])
    product = ProductFactory(name="Old-address boots")
    ReviewFactory(product=product, email=OLD, display_name="Prima", title="Written under the old address")
    now = timezone.now()
    contest = Contest.objects.create(
        title="Old draw", slug="old-draw", prize="Boots", starts_at=now, ends_at=now + timezone.timedelta(days=3)
    )
    ContestEntry.objects.create(contest=contest, first_name="Prima", city="Nantes", email=OLD)
    SupportTicket.objects.create(name="Prima Address", email=OLD, subject="Sent as a guest", message="Hello")
    return user


@pytest.mark.django_db
def test_the_subscriber_follows_a_verified_change_with_a_consent_event(client, person_with_history, mailoutbox):
    user = person_with_history
    subscriber = Subscriber.objects.get(user=user)
    change_email(client, user, mailoutbox)
    subscriber.refresh_from_db()
    assert subscriber.email == NEW
    assert subscriber.confirmed_at is not None
    event = ConsentEvent.objects.filter(subject=subscriber.ledger_subject, purpose="email").get()
    assert event.action == "changed"
    assert OLD not in event.value
    assert NEW not in event.value


@pytest.mark.django_db
def test_export_and_erasure_cover_every_address_the_account_verified(
    client, person_with_history, mailoutbox, django_capture_on_commit_callbacks
):
    user = person_with_history
    change_email(client, user, mailoutbox)
    assert SentEmail.objects.exists()  # allauth's mails under both addresses are in the sent-email log

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:export"))
    payload = DataExport.objects.get(user=user).payload
    sections = payload["sections"]
    assert [r["title"] for r in sections["reviews"]["items"]] == ["Written under the old address"]
    assert [e["contest"] for e in sections["contest_entries"]["items"]] == ["Old draw"]
    assert [t["subject"] for t in sections["support_tickets"]["items"]] == ["Sent as a guest"]
    subjects = [row["subject"] for row in sections["emails_sent"]["items"]]
    assert any("onfirm" in subject for subject in subjects)  # the confirmation sent to the new address
    assert OLD in json.dumps(payload["sections"]["profile"]) or OLD in json.dumps(payload)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not Review.objects.filter(email__in=[OLD, NEW]).exists()
    assert not ContestEntry.objects.filter(email__in=[OLD, NEW]).exists()
    assert not SupportTicket.objects.filter(email__in=[OLD, NEW]).exists()
    assert not Subscriber.objects.filter(email__in=[OLD, NEW]).exists()
    assert not SentEmail.objects.exists()
    status, report = audit()
    assert status == 0, report
    assert_no_table_holds(OLD, NEW)


def assert_no_table_holds(*needles: str) -> None:
    """Scan every text column of every table for the addresses (the documented exceptions hold none)."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('character varying', 'text', 'jsonb')"
        )
        for table, column in cursor.fetchall():
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column}")
    assert found == []
