"""Hypothesis: whatever is posted to a signup step, the answer is a page, never a 500, and nothing half-written."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.forms import SignupForm
from accounts.models import User
from tests.accounts.test_signup import answer
from tests.fuzz import examples

text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(
        ["", " ", "<script>alert(1)</script>", "\x00", "1990-13-45", "9999-12-31", "0001-01-01", "+1" * 20]
    ),
)
fields = st.dictionaries(
    st.sampled_from(
        ["date_of_birth_day", "date_of_birth_month", "date_of_birth_year", *SignupForm.field_order, "junk"]
    ),
    text,
    max_size=12,
)
FUZZ = settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.django_db
@FUZZ
@given(payload=fields)
def test_any_age_screen_payload_answers_without_a_server_error(payload):
    response = Client(raise_request_exception=False).post(reverse("accounts:age_screen"), payload)
    assert response.status_code in {200, 302, 403, 429}


@pytest.mark.django_db
@FUZZ
@given(age=st.sampled_from(["1990-01-01", "2011-06-01"]), payload=fields)
def test_any_signup_payload_answers_without_a_server_error(age, payload):
    client = Client(raise_request_exception=False)
    client.post(reverse("accounts:age_screen"), answer(age))
    before = User.objects.count()
    response = client.post(reverse("account_signup"), payload)
    assert response.status_code in {200, 302, 403, 429}
    if response.status_code == 200:
        assert User.objects.count() == before


@pytest.mark.django_db
@FUZZ
@given(payload=fields)
def test_any_profile_or_address_payload_answers_without_a_server_error(payload):
    from tests.factories import UserFactory

    user = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    assert client.post(reverse("accounts:profile"), payload).status_code in {200, 302}
    assert client.post(reverse("accounts:address_add"), payload).status_code in {200, 302}
