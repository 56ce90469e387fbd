"""Item 15: any user could add someone else's address as an unverified secondary email, after which the owner
silently could not sign up. Now an account has one address, changed only through a confirmed change
(ACCOUNT_CHANGE_EMAIL), and a pending change to someone else's address never blocks the owner."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from privacy.data_rights import build_export_payload
from tests.accounts.test_signup import dob, signup_data
from tests.factories import UserFactory, age_answer

EMAIL_URL = reverse("account_email")
VICTIM = "owner@example.com"


def confirm_link(message) -> str:
    link = next(line for line in message.body.splitlines() if "/accounts/confirm-email/" in line).strip()
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def resend_after_the_window(owner, mailoutbox):
    """The squatter's attempt mailed the owner a link minutes ago; allauth's confirm_email limit (one mail per address
    per 3 minutes) holds the owner's own until that window passes. Then signing in sends it."""
    from tests.conftest import _clear_cache

    _clear_cache(cache)
    owner.post(reverse("account_login"), {"login": VICTIM, "password": signup_data()["password1"]})
    return [m for m in mailoutbox if m.to == [VICTIM]][-1]


@pytest.mark.django_db
def test_a_squatted_address_stays_free_for_its_owner(client, mailoutbox, django_capture_on_commit_callbacks):
    squatter = UserFactory(email="squatter@example.com")
    client.force_login(squatter)
    client.post(EMAIL_URL, {"email": VICTIM, "action_add": ""})
    client.post(EMAIL_URL, {"email": VICTIM, "action_primary": ""})  # and try to make it the login

    squatter.refresh_from_db()
    assert squatter.email == "squatter@example.com"
    assert not EmailAddress.objects.filter(email=VICTIM, verified=True).exists()
    assert EmailAddress.objects.get(user=squatter, verified=True).email == "squatter@example.com"

    # The owner signs up with their own address, and gets an account and a confirmation link.
    mailoutbox.clear()
    owner = type(client)()
    owner.post(reverse("accounts:age_screen"), age_answer(dob(30)))
    response = owner.post(reverse("account_signup"), signup_data(email=VICTIM))
    assert response.status_code == 302
    account = User.objects.get(email=VICTIM)
    [confirmation] = [m for m in mailoutbox if m.to == [VICTIM]] or [resend_after_the_window(owner, mailoutbox)]
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(confirm_link(confirmation))
    assert EmailAddress.objects.get(email=VICTIM, verified=True).user == account
    assert owner.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_one_address_per_account_a_new_one_only_replaces_it_once_confirmed(client, mailoutbox):
    user = UserFactory(email="me@example.com")
    client.force_login(user)
    client.post(EMAIL_URL, {"email": "first-try@example.com", "action_add": ""})
    client.post(EMAIL_URL, {"email": "second-try@example.com", "action_add": ""})

    rows = EmailAddress.objects.filter(user=user)
    assert sorted((row.email, row.verified) for row in rows) == [
        ("me@example.com", True),
        ("second-try@example.com", False),  # one pending change at a time
    ]
    user.refresh_from_db()
    assert user.email == "me@example.com"

    client.post(confirm_link(mailoutbox[-1]))
    user.refresh_from_db()
    assert user.email == "second-try@example.com"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == ["second-try@example.com"]


@pytest.mark.django_db
def test_a_pending_change_to_a_guests_address_shows_none_of_the_guests_data(client, topics):
    """Attack: type a guest subscriber's (and reviewer's) address as the account's new email and never confirm it,
    then open the preference center and download the account's data. The address is not the account's until it is
    confirmed: neither page shows the guest's subscription or review, and erasure would not touch them."""
    from privacy.data_rights import person_emails
    from subscriptions.selectors import subscriber_of
    from tests.factories import ReviewFactory, SubscriberFactory, SubscriptionFactory

    guest = SubscriberFactory(email=VICTIM)
    SubscriptionFactory(subscriber=guest, topic=topics["contests"], frequency="monthly")
    ReviewFactory(email=VICTIM, city="Guestville", title="The guest's own words")
    squatter = UserFactory(email="squatter@example.com")
    client.force_login(squatter)
    client.post(EMAIL_URL, {"email": VICTIM, "action_add": ""})
    assert EmailAddress.objects.filter(user=squatter, email=VICTIM, verified=False).exists()

    assert person_emails(squatter) == ["squatter@example.com"]
    assert subscriber_of(squatter) is None
    page = client.get(reverse("subscriptions:preferences")).content.decode()
    assert 'value="monthly" selected' not in page
    payload = build_export_payload(squatter)
    export = json.dumps(payload, default=str)
    assert "Guestville" not in export
    assert "The guest's own words" not in export
    # the address appears once: as what the squatter typed, shown as not confirmed
    assert export.count(VICTIM) == 1
    assert {"email": VICTIM, "confirmed": False}.items() <= next(
        row for row in payload["sections"]["email_addresses"]["items"] if row["email"] == VICTIM
    ).items()
