"""Issue 12, item 13: contest entries had no rate limit, and "already entered" told whether an address had entered.

Attack: post entries with a list of addresses and read which ones are "already entered" (an address book of the
shop's contest entrants), as fast as the server answers. Now every answer is the same, and a client gets
SHOP_CONTEST_ATTEMPT_LIMIT posts per window, counted before the form is even checked.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone

from shop.models import Contest, ContestEntry
from tests.factories import past_age_screen

ENTRY = {"first_name": "Lea", "city": "Lyon"}
CSRF = re.compile(r'value="[^"]*"')  # the CSRF token differs between two clients, and only it


@pytest.fixture
def contest(db):
    now = timezone.now()
    return Contest.objects.create(
        title="Summer draw",
        slug="summer-draw",
        prize="A shirt",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=7),
    )


def Client() -> DjangoClient:  # stands in for the class
    """A fresh browser past the age screen (tests/accounts/test_guest_age_screen.py tests the screen)."""
    return past_age_screen(DjangoClient())


def page_after_entry(client: DjangoClient, contest, email: str) -> tuple[int, str]:
    response = client.post(contest.get_absolute_url(), {**ENTRY, "email": email})
    page = client.get(response["Location"]).content.decode() if response.status_code == 302 else ""
    return response.status_code, page


def test_an_address_that_already_entered_gets_the_same_answer_as_a_new_one(contest):
    Client().post(contest.get_absolute_url(), {**ENTRY, "email": "grace@example.com"})  # Grace entered earlier
    prober = Client()
    known = page_after_entry(prober, contest, "GRACE@example.com")
    unknown = page_after_entry(Client(), contest, "nobody@example.com")
    assert known[0] == unknown[0] == 302
    assert CSRF.sub("", known[1]) == CSRF.sub("", unknown[1])
    assert "You are entered" in known[1]
    assert "already" not in known[1]
    assert ContestEntry.objects.filter(email__iexact="grace@example.com").count() == 1


def test_entries_are_rate_limited_per_client_before_the_form_is_checked(contest, settings):
    settings.SHOP_CONTEST_ATTEMPT_LIMIT = (3, 3600)
    attacker = Client()
    answers = [
        attacker.post(contest.get_absolute_url(), {**ENTRY, "email": f"probe{i}@example.com"}).status_code
        for i in range(5)
    ]
    assert answers == [302, 302, 302, 429, 429]
    assert ContestEntry.objects.count() == 3
    refused = attacker.post(contest.get_absolute_url(), {"email": "x" * 100_000})  # not even checked
    assert refused.status_code == 429
    assert "Please try again later" in refused.content.decode()
