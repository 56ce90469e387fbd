"""Issue 13, item 1: the ad partner receives a person only after an explicit yes, never a minor or an unconfirmed
account, and the ad-sharing page says exactly what the feed does for the person reading it."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import AgeBand
from privacy.models import ConsentEvent, Disclosure
from tests.factories import UserFactory

AD_SHARING_URL = reverse("privacy:ad_sharing")
COOKIES_URL = reverse("privacy:cookies")
INCLUDED = "We include you in the audience we send to"


def feed(settings) -> set[str]:
    """The CSV the partner would receive, written by the management command."""
    path = settings.PRIVACY_AD_FEED_DIR / "feed.csv"
    call_command("export_ad_feed", "--output", str(path), stderr=io.StringIO())
    with open(path, newline="", encoding="utf-8") as handle:
        return {row[0] for row in list(csv.reader(handle))[1:]}


def keyed(email: str, settings) -> str:
    return hmac.new(settings.PRIVACY_AD_FEED_HASH_KEY.encode(), email.lower().encode(), hashlib.sha256).hexdigest()


@pytest.fixture(autouse=True)
def _feed_key(settings, tmp_path):
    settings.PRIVACY_AD_FEED_HASH_KEY = "test-feed-key"
    settings.PRIVACY_AD_FEED_DIR = tmp_path


def page_for(client, user, **headers) -> str:
    client.force_login(user)
    return client.get(AD_SHARING_URL, headers=headers).content.decode()


@pytest.mark.django_db
def test_a_new_account_is_not_shared_and_the_page_says_so(client, settings):
    user = UserFactory(email="new@example.com")
    page = page_for(client, user)
    assert "Share it (the default)" not in page
    assert "Don&#x27;t share my data for tailored advertising (the default)" in page
    assert INCLUDED not in page
    assert "you haven't agreed" in page
    assert feed(settings) == set()
    assert not Disclosure.objects.exists()


@pytest.mark.django_db
def test_sharing_starts_only_after_an_explicit_yes_and_stops_at_a_no(client, settings):
    user = UserFactory(email="yes@example.com")
    client.force_login(user)
    client.post(COOKIES_URL, {"choice": "accept_all", "next": "/"})
    assert feed(settings) == set()  # accepting advertising cookies is not an agreement to share the address

    client.post(AD_SHARING_URL, {"share": "yes"})
    assert INCLUDED in client.get(AD_SHARING_URL).content.decode()
    assert feed(settings) == {keyed(user.email, settings)}

    client.post(AD_SHARING_URL, {"share": "no"})
    assert INCLUDED not in client.get(AD_SHARING_URL).content.decode()
    assert feed(settings) == set()
    assert list(ConsentEvent.objects.filter(purpose="ad_sharing").order_by("id").values_list("action", "value")) == [
        ("granted", "share"),
        ("withdrawn", "do_not_share"),
    ]


@pytest.mark.django_db
def test_a_minor_who_says_yes_is_never_shared_and_is_told_why(client, settings):
    teen = UserFactory(email="teen@example.com", age_band=AgeBand.TEEN_SUPERVISED)
    client.force_login(teen)
    client.post(COOKIES_URL, {"choice": "accept_all", "next": "/"})
    client.post(AD_SHARING_URL, {"share": "yes"})
    page = client.get(AD_SHARING_URL).content.decode()
    assert INCLUDED not in page
    assert "under 18" in page
    assert feed(settings) == set()


@pytest.mark.django_db
def test_an_unconfirmed_account_is_never_shared(client, settings):
    unconfirmed = UserFactory(email="unconfirmed@example.com", verified=False)
    client.force_login(unconfirmed)
    client.post(AD_SHARING_URL, {"share": "yes"})
    page = client.get(AD_SHARING_URL).content.decode()
    assert INCLUDED not in page
    assert "not confirmed" in page
    assert feed(settings) == set()


@pytest.mark.django_db
def test_reject_all_or_gpc_after_a_yes_stops_sharing(client, settings):
    rejecter = UserFactory(email="rejecter@example.com")
    gpc = UserFactory(email="gpc@example.com")
    for user in (rejecter, gpc):
        client.force_login(user)
        client.post(AD_SHARING_URL, {"share": "yes"})
    assert feed(settings) == {keyed(rejecter.email, settings), keyed(gpc.email, settings)}
    client.force_login(rejecter)
    client.post(COOKIES_URL, {"choice": "reject_all", "next": "/"})
    client.force_login(gpc)
    client.get("/", headers={"Sec-GPC": "1"})
    assert feed(settings) == set()
    assert "Global Privacy Control" in page_for(client, gpc)
    assert "you refused advertising cookies" in page_for(client, rejecter)


@pytest.mark.django_db
def test_the_page_states_exactly_what_the_feed_does_for_each_person(client, settings):
    people = {
        "new": UserFactory(email="p-new@example.com"),
        "agreed": UserFactory(email="p-agreed@example.com"),
        "teen": UserFactory(email="p-teen@example.com", age_band=AgeBand.TEEN_SUPERVISED),
        "unconfirmed": UserFactory(email="p-unconfirmed@example.com", verified=False),
        "inactive_after_yes": UserFactory(email="p-off@example.com"),
    }
    for key in ("agreed", "teen", "unconfirmed", "inactive_after_yes"):
        client.force_login(people[key])
        client.post(AD_SHARING_URL, {"share": "yes"})
    client.force_login(people["inactive_after_yes"])
    client.post(AD_SHARING_URL, {"share": "no"})
    shared = feed(settings)
    for key, user in people.items():
        page = page_for(client, user)
        dashboard = client.get(reverse("privacy:dashboard")).content.decode()
        in_feed = keyed(user.email, settings) in shared
        assert (INCLUDED in page) == in_feed, key
        assert ("we share a keyed hash of your email address" in dashboard) == in_feed, key
    assert shared == {keyed(people["agreed"].email, settings)}
