"""Item 17: an under-13 answer left an earlier adult answer in the session (delete the refusal cookie, keep the session,
and the signup form opened as an adult); the refusal cookie lacked Secure on HTTPS."""

import pytest
from django.urls import reverse

from accounts.app_settings import app_settings
from accounts.models import User
from tests.accounts.test_signup import dob, signup_data
from tests.factories import age_answer

AGE_URL = reverse("accounts:age_screen")
SIGNUP_URL = reverse("account_signup")


@pytest.mark.django_db
def test_an_under_13_answer_clears_the_earlier_adult_answer(client):
    assert client.post(AGE_URL, age_answer(dob(30))).status_code == 302
    assert client.get(SIGNUP_URL).status_code == 200  # the adult answer opened the form

    refused = client.post(AGE_URL, age_answer(dob(10)))
    assert refused.status_code == 403
    assert app_settings.SESSION_KEY not in client.session

    # The attack: drop the refusal cookie, keep the session, go straight to the form.
    del client.cookies[app_settings.REFUSAL_COOKIE]
    assert client.get(SIGNUP_URL).url == AGE_URL
    client.post(SIGNUP_URL, signup_data(email="kid@example.com"))
    assert not User.objects.filter(email="kid@example.com").exists()


@pytest.mark.django_db
def test_the_refusal_cookie_is_secure_over_https_and_http_only(client):
    response = client.post(AGE_URL, age_answer(dob(10)), secure=True)
    cookie = response.cookies[app_settings.REFUSAL_COOKIE]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
