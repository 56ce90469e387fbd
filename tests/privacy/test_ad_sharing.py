import csv
import hashlib
import hmac
import io

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse

from privacy import registry, services
from privacy.models import ConsentEvent, Disclosure, PrivacySettings
from tests.factories import UserFactory

AD_SHARING_URL = reverse("privacy:ad_sharing")
COOKIES_URL = reverse("privacy:cookies")


def feed_rows(**kwargs) -> list[str]:
    out = io.StringIO()
    services.export_ad_partner_feed(out=out, **kwargs)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][0] == "email_sha256"  # then any registered coarse columns (shop: purchase categories)
    return [row[0] for row in rows[1:]]


def keyed(email: str, key: str) -> str:
    return hmac.new(key.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


@pytest.mark.django_db
def test_signed_in_switch_saves_the_setting_and_ledgers_each_change(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(AD_SHARING_URL).content.decode()
    assert "Don&#x27;t share my data for tailored advertising (the default)" in page
    assert "We include you" not in page

    response = client.post(AD_SHARING_URL, {"share": "yes"}, follow=True)
    assert "Your advertising choice is saved." in response.content.decode()
    assert "We include you in the audience" in response.content.decode()
    assert PrivacySettings.objects.get(user=user).ad_sharing_agreed_at is not None
    client.post(AD_SHARING_URL, {"share": "yes"})  # unchanged: no second event
    response = client.post(AD_SHARING_URL, {"share": "no"}, follow=True)
    assert "because you asked us not to" in response.content.decode()
    assert PrivacySettings.objects.get(user=user).ad_sharing_opted_out
    assert list(ConsentEvent.objects.order_by("id").values_list("purpose", "action", "value", "method")) == [
        ("ad_sharing", "granted", "share", "preference_center"),
        ("ad_sharing", "withdrawn", "do_not_share", "preference_center"),
    ]


@pytest.mark.django_db
def test_bad_input_on_the_switch_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(AD_SHARING_URL, {"share": "maybe"})
    assert response.status_code == 400
    assert "Please pick one of the two options." in response.content.decode()
    assert not ConsentEvent.objects.exists()
    assert not PrivacySettings.objects.filter(user=user, ad_sharing_agreed_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_guest_opts_out_through_the_cookie_choice(client):
    client.post(COOKIES_URL, {"choice": "accept_all", "next": "/"})
    page = client.get(AD_SHARING_URL).content.decode()
    assert "refuse advertising cookies" in page
    client.post(COOKIES_URL, {"choice": "save", "categories": ["preferences", "analytics"]})
    page = client.get(AD_SHARING_URL).content.decode()
    assert "Advertising cookies are off in this browser" in page
    assert "tags.ad-partner.example" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_gpc_shows_on_the_ad_sharing_page(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(AD_SHARING_URL, headers={"Sec-GPC": "1"}).content.decode()
    assert "Global Privacy Control signal honoured" in page
    assert "because your browser sent a Global Privacy Control signal" in page


@pytest.mark.django_db
def test_the_feed_lists_only_people_who_may_be_shared_as_keyed_hashes(client, settings):
    settings.PRIVACY_AD_FEED_HASH_KEY = "feed-key"
    shared = UserFactory(email="Shared.Person@Example.com", first_name="Sharon", last_name="Partner")
    accepted = UserFactory(email="accepted@example.com")
    opted_out = UserFactory(email="opted-out@example.com")
    gpc = UserFactory(email="gpc@example.com")
    rejected = UserFactory(email="rejected@example.com")
    UserFactory(email="inactive@example.com", is_active=False)

    UserFactory(email="never-answered@example.com")  # nobody is shared by default
    for user in (shared, accepted, opted_out, gpc, rejected):
        services.set_ad_sharing(user=user, share=True)
    services.save_cookie_choice(user=accepted, categories=["advertising"])
    services.set_ad_sharing(user=opted_out, share=False)
    client.force_login(gpc)
    client.get("/", headers={"Sec-GPC": "1"})
    client.force_login(rejected)
    client.post(COOKIES_URL, {"choice": "reject_all", "next": "/"})

    rows = feed_rows(reference="ad-feed:test")
    assert sorted(rows) == sorted([keyed("shared.person@example.com", "feed-key"), keyed(accepted.email, "feed-key")])
    assert rows[0] != hashlib.sha256(b"shared.person@example.com").hexdigest()  # keyed, not a bare hash

    disclosures = Disclosure.objects.filter(reference="ad-feed:test")
    assert sorted(disclosures.values_list("user_id", flat=True)) == sorted([shared.pk, accepted.pk])
    disclosure = disclosures.first()
    assert disclosure.recipient_kind == "ad_partner"
    assert disclosure.data_categories[0] == "email address (keyed hash)"

    # a second run: still nobody who refused, and one more disclosure per person shared
    rows = feed_rows()
    assert len(rows) == 2
    assert Disclosure.objects.filter(user=opted_out).count() == 0
    assert Disclosure.objects.filter(user=gpc).count() == 0
    assert Disclosure.objects.filter(user=shared).count() == 2


@pytest.mark.django_db
def test_the_feed_file_holds_no_clear_personal_data(tmp_path, settings):
    settings.PRIVACY_AD_FEED_DIR = tmp_path / "feed"
    users = [UserFactory(phone="+33612345678") for _ in range(3)]
    for user in users:
        services.set_ad_sharing(user=user, share=True)
    from privacy.tasks import build_ad_partner_feed

    path = build_ad_partner_feed.delay().get()
    with open(path, encoding="utf-8") as feed:
        text = feed.read()
    assert len(text.splitlines()) == 4
    for user in users:
        for value in [user.email, user.email.split("@")[0], user.first_name, user.last_name, "612345678"]:
            assert value.lower() not in text.lower()
    assert not list((tmp_path / "feed").glob(".ad-feed-*"))  # no temporary file left behind


@pytest.mark.django_db
def test_registered_exclusions_keep_people_out_of_the_feed():
    kept_out = UserFactory(last_name="Minor")
    adult = UserFactory(last_name="Adult")
    for user in (kept_out, adult):
        services.set_ad_sharing(user=user, share=True)

    def exclude_minors() -> Q:
        return Q(last_name="Minor")

    registry.register_ad_feed_exclusion(exclude_minors)
    try:
        assert len(feed_rows()) == 1
        assert not Disclosure.objects.filter(user=kept_out).exists()
    finally:
        registry.unregister_ad_feed_exclusion(exclude_minors)


@pytest.mark.django_db
def test_the_management_command_writes_the_feed(tmp_path):
    services.set_ad_sharing(user=UserFactory(), share=True)
    output = tmp_path / "feed.csv"
    call_command("export_ad_feed", output=str(output), stderr=io.StringIO())
    assert len(output.read_text().splitlines()) == 2
    assert Disclosure.objects.filter(recipient_kind="ad_partner").count() == 1


@pytest.mark.django_db
def test_the_feed_query_count_does_not_grow_with_the_audience(django_assert_max_num_queries):
    for user in UserFactory.create_batch(30):
        services.set_ad_sharing(user=user, share=True)
    with django_assert_max_num_queries(6):
        assert len(feed_rows()) == 30


@pytest.mark.django_db
def test_the_page_and_the_feed_agree_on_every_combination():
    """ad_sharing_status (what the pages say) mirrors the feed's query (what the partner gets)."""
    import itertools

    from django.utils import timezone

    from privacy.selectors import ad_feed_audience, ad_sharing_status

    rows = []
    for agreed, opted_out, gpc, chosen, advertising in itertools.product([False, True], repeat=5):
        if (advertising and not chosen) or (agreed and opted_out):
            continue  # forbidden by constraints: no consent without an answer; a yes or a no, not both
        rows.append(
            PrivacySettings.objects.create(
                user=UserFactory(),
                ad_sharing_agreed_at=timezone.now() if agreed else None,
                ad_sharing_opted_out=opted_out,
                gpc_recorded_at=timezone.now() if gpc else None,
                cookies_chosen_at=timezone.now() if chosen else None,
                advertising_cookies=advertising,
            )
        )
    without_row = UserFactory()
    in_feed = set(ad_feed_audience().values_list("pk", flat=True))
    assert without_row.pk not in in_feed
    assert not ad_sharing_status(without_row).shared
    for row in rows:
        status = ad_sharing_status(row.user)
        assert (row.user_id in in_feed) == status.shared == (not status.reasons), row.__dict__
    assert len(in_feed) == 2  # agreed, and: no cookie answer, or answered with advertising on


@pytest.mark.django_db
def test_the_database_refuses_cookie_consent_without_an_answer():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PrivacySettings.objects.create(user=UserFactory(), advertising_cookies=True)
