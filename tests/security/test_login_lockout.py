"""Item 14: anyone locked anyone out with 5 wrong passwords in 5 minutes (failed sign-ins counted per account alone).
Now they count per IP and per (IP, account): a stranger's failures elsewhere don't lock the owner out, and the
stranger's own address is stopped."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("account_login")
STRANGER = "203.0.113.50"
OWNER = "192.0.2.10"


def attempt(client, email, password, ip):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def is_limited(response) -> bool:
    return response.status_code == 429 or "Too many failed" in response.content.decode()


@pytest.mark.django_db
def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(client):
    owner = UserFactory()
    for n in range(6):
        attempt(client, owner.email, f"guess-{n}", STRANGER)
    assert is_limited(attempt(client, owner.email, f"guess-{n}", STRANGER))  # the stranger is stopped...

    client.cookies.clear()
    response = attempt(client, owner.email, PASSWORD, OWNER)  # ...the owner, from their own address, is not
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


@pytest.mark.django_db
def test_the_owner_mistyping_five_times_is_stopped_only_at_their_own_address(client):
    owner = UserFactory()
    for n in range(5):
        attempt(client, owner.email, f"typo-{n}", OWNER)
    assert is_limited(attempt(client, owner.email, PASSWORD, OWNER))
    client.cookies.clear()
    assert attempt(client, owner.email, PASSWORD, "192.0.2.99").status_code == 302
