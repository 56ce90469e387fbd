"""Issue 13, item 4: a self-service erasure leaves nothing behind. The request that erases writes no access-log row
about the erased person afterwards, the admin's change history no longer names them, and privacy_audit stays
clean after every deletion."""

from __future__ import annotations

import io

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from privacy.models import AccessLog
from tests.factories import PASSWORD, StaffFactory, SubscriberFactory, UserFactory


def audit() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("privacy_audit", stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in_and_browse(client, user) -> None:
    """Sign in through the login form (an access-log row with the full IP), then open account and privacy pages."""
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.77"
    )
    assert response.status_code == 302
    for url in ("/privacy/", "/accounts/profile/", "/privacy/delete/"):
        assert client.get(url, REMOTE_ADDR="203.0.113.77").status_code == 200


@pytest.mark.django_db
def test_deleting_my_account_leaves_no_access_log_row_and_a_clean_audit(client):
    assert audit()[0] == 0
    user = UserFactory(email="leaving@example.org", first_name="Lea", last_name="Ving")
    SubscriberFactory(email=user.email, user=user)
    sign_in_and_browse(client, user)
    assert AccessLog.objects.filter(user=user).exists()

    response = client.post(
        reverse("privacy:delete"), {"password": PASSWORD, "confirm": "on"}, REMOTE_ADDR="203.0.113.77"
    )
    assert response.status_code == 302
    assert not AccessLog.objects.filter(user=user).exists()
    assert not AccessLog.objects.filter(ip="203.0.113.77").exists()
    status, report = audit()
    assert status == 0, report
    assert "leaving@example.org" not in report


@pytest.mark.django_db
def test_the_admin_history_no_longer_names_an_erased_person(client):
    user = UserFactory(email="named.in.history@example.org", first_name="Hista", last_name="Ree")
    staff = StaffFactory(email="clerk@example.org")
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=str(user),
        action_flag=CHANGE,
        change_message="Changed name",
    )
    subscriber = SubscriberFactory(email=user.email, user=user)
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(subscriber),
        object_id=str(subscriber.pk),
        object_repr=str(subscriber),
        action_flag=CHANGE,
        change_message="Unsubscribed from all",
    )
    assert LogEntry.objects.filter(object_repr__icontains="named.in.history@example.org").count() == 2

    client.force_login(user)
    client.post(reverse("privacy:delete"), {"password": PASSWORD, "confirm": "on"})

    assert not LogEntry.objects.filter(object_repr__icontains="named.in.history").exists()
    assert LogEntry.objects.filter(user=staff).count() == 2  # the staff member's actions stay, without the name
    status, report = audit()
    assert status == 0, report


@pytest.mark.django_db
def test_the_audit_finds_an_erased_address_left_in_any_table_but_not_a_person_who_came_back(client):
    from privacy import data_rights
    from shop.models import SupportTicket

    gone = UserFactory(email="gone.for.good@example.org")
    back = UserFactory(email="came.back@example.org")
    for user in (gone, back):
        data_rights.erase_person(user)
    assert audit()[0] == 0
    # a row written elsewhere that still holds the erased address in free text (an eraser that missed it)
    ticket = SupportTicket.objects.create(
        name="Someone", email="other@example.org", subject="Forwarded", message="From: Gone.For.Good@example.org"
    )
    UserFactory(email="came.back@example.org")  # the other person signed up again: their address is in use again
    status, report = audit()
    assert status == 1
    assert f"shop_supportticket.message#{ticket.pk}" in report
    assert "gone.for.good" not in report.lower()
    assert "came.back" not in report
