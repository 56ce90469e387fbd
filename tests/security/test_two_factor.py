"""Item 10: no second factor anywhere. Now shoppers turn on TOTP (with recovery codes) and passkeys (allauth.mfa),
staff can't open any admin page without a second factor, security notifications (password changed, email changed,
new sign-in method) go out through send_transactional, and shoppers see and end their other sessions
(allauth.usersessions)."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from subscriptions.models import MessageKind, SentEmail
from tests.factories import PASSWORD, StaffFactory, UserFactory, totp_code

LOGIN = reverse("account_login")


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def reauthenticate(client: Client) -> None:
    """allauth asks for the password again before a sign-in method is added."""
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def account_emails(mailoutbox, to: str) -> list[str]:
    return [m.subject for m in mailoutbox if m.to == [to]]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/", "/admin/password_change/"])
def test_staff_without_a_second_factor_are_refused_the_admin(client, path):
    staff = StaffFactory(totp=False)
    client.force_login(staff)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == reverse("mfa_index")
    assert "Staff need two-factor authentication" in client.get(response.url).content.decode()


@pytest.mark.django_db
def test_staff_sign_in_needs_their_code_before_the_admin_opens(client):
    staff = StaffFactory()
    assert sign_in(client, staff.email).url == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # password alone: not signed in
    assert "Incorrect code" in client.post(reverse("mfa_authenticate"), {"code": "000000"}).content.decode()
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_shopper_turns_on_totp_and_then_needs_it_to_sign_in(client, mailoutbox, django_capture_on_commit_callbacks):
    shopper = UserFactory()
    sign_in(client, shopper.email)
    reauthenticate(client)
    activate = reverse("mfa_activate_totp")
    assert client.get(activate).status_code == 200
    secret = client.session["mfa.totp.secret"]
    sent_before = SentEmail.objects.filter(kind=MessageKind.ACCOUNT).count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(activate, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=shopper, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=shopper, type=Authenticator.Type.RECOVERY_CODES).exists()
    # "A new sign-in method": the notification went through send_transactional (it logs every transactional email).
    assert any("Authenticator App Activated" in s for s in account_emails(mailoutbox, shopper.email))
    assert SentEmail.objects.filter(kind=MessageKind.ACCOUNT).count() > sent_before

    # Signing in again: the password alone stops at the code; one recovery code works once.
    codes = Authenticator.objects.get(user=shopper, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()
    for attempt, expected in [(1, 200), (2, 302)]:
        other = Client()
        assert sign_in(other, shopper.email).url == reverse("mfa_authenticate")
        other.post(reverse("mfa_authenticate"), {"code": codes[0]})
        assert other.get(reverse("accounts:profile")).status_code == expected, f"recovery code, use {attempt}"


@pytest.mark.django_db
def test_passkeys_can_be_added_and_used_to_sign_in(client):
    shopper = UserFactory()
    sign_in(client, shopper.email)
    reauthenticate(client)
    page = client.get(reverse("mfa_add_webauthn"))
    assert page.status_code == 200
    assert "allauth.webauthn.forms.addForm" in page.content.decode()
    assert "mfa_login_webauthn" not in page.content.decode()
    login_page = Client().get(LOGIN).content.decode()
    assert reverse("mfa_login_webauthn") in login_page or "passkey" in login_page.lower()


@pytest.mark.django_db
def test_password_change_is_notified_through_send_transactional(client, mailoutbox):
    shopper = UserFactory()
    sign_in(client, shopper.email)
    new = "a-brand-new-passphrase-77"
    response = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    assert response.status_code == 302
    assert any("Password Changed" in s for s in account_emails(mailoutbox, shopper.email))
    assert SentEmail.objects.filter(kind=MessageKind.ACCOUNT, subject__icontains="Password Changed").exists()


@pytest.mark.django_db
def test_email_change_is_notified_to_the_old_address(client, mailoutbox):
    shopper = UserFactory(email="old@example.com")
    sign_in(client, shopper.email)
    client.post(reverse("account_email"), {"email": "new@example.com", "action_add": ""})
    link = next(line for line in mailoutbox[-1].body.splitlines() if "/accounts/confirm-email/" in line).strip()
    client.post("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert any("Email Changed" in s for s in account_emails(mailoutbox, "old@example.com"))


@pytest.mark.django_db
def test_a_shopper_sees_and_ends_their_other_sessions():
    shopper = UserFactory()
    laptop, stolen_phone = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="203.0.113.7")
    sign_in(laptop, shopper.email)
    sign_in(stolen_phone, shopper.email)
    assert stolen_phone.get(reverse("accounts:profile")).status_code == 200

    profile = laptop.get(reverse("accounts:profile")).content.decode()
    assert reverse("usersessions_list") in profile
    assert reverse("mfa_index") in profile
    listing = laptop.get(reverse("usersessions_list")).content.decode()
    assert "203.0.113.7" in listing
    assert "192.0.2.1" in listing
    laptop.post(reverse("usersessions_list"))

    assert stolen_phone.get(reverse("accounts:profile")).status_code == 302  # signed out
    assert laptop.get(reverse("accounts:profile")).status_code == 200
