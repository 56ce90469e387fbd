import logging

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy.cookies import OPTIONAL_CATEGORIES, CookieChoice
from tests.factories import PASSWORD, UserFactory


@settings(max_examples=200)
@given(st.text())
def test_any_cookie_value_is_a_known_choice_or_no_choice(value):
    choice = CookieChoice.from_cookie_value(value)
    if choice is not None:
        assert choice.chosen
        assert set(choice.allowed) <= set(OPTIONAL_CATEGORIES)
        assert CookieChoice.from_cookie_value(choice.as_cookie_value()) == choice


@settings(max_examples=50)
@given(st.lists(st.sampled_from(OPTIONAL_CATEGORIES)), st.booleans())
def test_choices_round_trip_and_gpc_always_refuses_advertising(categories, gpc):
    choice = CookieChoice.from_categories(categories, gpc=gpc)
    assert CookieChoice.from_cookie_value(choice.as_cookie_value(), gpc=gpc) == choice
    assert set(choice.allowed) == set(categories) - ({"advertising"} if gpc else set())


@pytest.mark.django_db
def test_no_log_line_of_the_privacy_flows_holds_an_email_or_a_token(client, caplog):
    user = UserFactory(email="secret.shopper@example.com")
    caplog.set_level(logging.DEBUG)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("privacy:cookies"), {"choice": "accept_all", "next": "/"}, headers={"Sec-GPC": "1"})
    client.post(reverse("privacy:cookies"), {"choice": "save", "categories": ["bogus"]})
    client.post(reverse("privacy:ad_sharing"), {"share": "no"})
    client.get(reverse("privacy:dashboard") + "?token=MQ:abcdefghijklmnopqrstuvwxyz")
    client.get("/unsubscribe/MQ:abcdefghijklmnopqrstuvwxyz/")
    text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ["secret.shopper", "MQ:abcdefghijklmnopqrstuvwxyz", PASSWORD]:
        assert secret not in text
