"""Item 9: `/admin/login/` had no rate limit (40 wrong passwords in 27 s, then the right one worked). Admin sign-in now
goes through allauth's (secure_admin_login): its failed-sign-in limit and two-factor step apply."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, StaffFactory

ADMIN_LOGIN = reverse("admin:login")
LOGIN = reverse("account_login")
ATTACKER = "198.51.100.66"


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_the_admin_login_form_is_allauths(client):
    staff = StaffFactory()
    response = client.get(ADMIN_LOGIN)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN + "?next=")

    # Posting credentials to Django's admin form signs nobody in: it is not the admin's form any more.
    client.post(ADMIN_LOGIN, {"username": staff.email, "password": PASSWORD}, REMOTE_ADDR=ATTACKER)
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_forty_wrong_passwords_then_the_right_one_is_refused(client):
    staff = StaffFactory()
    refused = 0
    for attempt in range(40):
        response = client.post(
            LOGIN, {"login": staff.email, "password": f"wrong-{attempt}", "next": "/admin/"}, REMOTE_ADDR=ATTACKER
        )
        assert response.status_code in {200, 429}
        refused += response.status_code == 429 or "Too many failed" in response.content.decode()
    assert refused >= 30  # the limit stops the run long before the 40th guess

    response = client.post(LOGIN, {"login": staff.email, "password": PASSWORD, "next": "/admin/"}, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429 or "Too many failed" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert client.get(reverse("admin:index"), REMOTE_ADDR=ATTACKER).status_code == 302


@pytest.mark.django_db
def test_the_right_password_alone_does_not_open_the_admin(client):
    """Even the right password from a clean address stops at the second factor."""
    staff = StaffFactory()
    response = client.post(LOGIN, {"login": staff.email, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert signed_in_user_id(client) is None
    assert client.get(reverse("admin:index")).status_code == 302
