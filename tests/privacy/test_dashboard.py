import pytest
from django.urls import reverse

from privacy import registry, services
from privacy.models import ConsentEvent, Disclosure
from tests.factories import UserFactory

DASHBOARD_URL = reverse("privacy:dashboard")


def consent(user, purpose: str, action: str = "granted") -> ConsentEvent:
    return services.record_consent(
        subject=f"user:{user.pk}", purpose=purpose, action=action, method="preference_center", user=user
    )


def disclose(user, name: str, reference: str = "") -> Disclosure:
    return services.record_disclosure(
        recipient_kind="carrier",
        recipient_name=name,
        purpose="Deliver your order",
        data_categories=["name", "shipping address"],
        user=user,
        reference=reference,
    )


@pytest.mark.django_db
def test_guests_get_the_settings_links_and_no_personal_history(client):
    other = UserFactory()
    consent(other, "cookies:analytics")
    page = client.get(DASHBOARD_URL).content.decode()
    assert reverse("privacy:cookies") in page
    assert reverse("privacy:ad_sharing") in page
    assert "to see what we hold about you" in page
    assert "Analytics cookies" not in page


@pytest.mark.django_db
def test_the_dashboard_shows_only_my_history_newest_first(client):
    me, other = UserFactory(), UserFactory()
    consent(me, "cookies:analytics")
    consent(me, "ad_sharing", "withdrawn")
    consent(other, "topic:secret-topic")
    disclose(me, "Parcel Express", "order:42")
    disclose(other, "Other Carrier", "order:43")
    client.force_login(me)
    page = client.get(DASHBOARD_URL).content.decode()
    assert page.index("Sharing with our advertising partner") < page.index("Analytics cookies")
    assert "Parcel Express (carrier)" in page
    assert "name, shipping address" in page
    assert "order:42" in page
    for not_mine in ["secret topic", "Other Carrier", "order:43", other.email]:
        assert not_mine not in page


@pytest.mark.django_db
def test_what_we_hold_lists_every_registered_section(client):
    me = UserFactory(first_name="Augusta")
    services.save_cookie_choice(user=me, categories=["analytics"])
    registry.register_data_section("profile-test", "Your profile", lambda user: [{"First name": user.first_name}])
    try:
        client.force_login(me)
        page = client.get(DASHBOARD_URL).content.decode()
    finally:
        registry.unregister_data_section("profile-test")
    assert "<h3>Your profile</h3>" in page
    assert "<dt>First name</dt><dd>Augusta</dd>" in page
    assert "<h3>Your privacy choices</h3>" in page
    assert "<dt>Cookie choice</dt><dd>analytics cookies allowed</dd>" in page


@pytest.mark.django_db
def test_the_ad_feed_shows_up_as_a_disclosure_to_the_partner(client):
    import io

    me = UserFactory()
    services.set_ad_sharing(user=me, share=True)
    services.export_ad_partner_feed(out=io.StringIO(), reference="ad-feed:2026-11-25")
    client.force_login(me)
    page = client.get(DASHBOARD_URL).content.decode()
    assert "Example Ad Partner (advertising partner)" in page
    assert "email address (keyed hash)" in page


@pytest.mark.django_db
def test_gpc_is_said_to_be_honoured_on_the_dashboard(client):
    client.force_login(UserFactory())
    page = client.get(DASHBOARD_URL, headers={"Sec-GPC": "1"}).content.decode()
    assert "Global Privacy Control signal honoured" in page
    assert "we don&#x27;t share your data" in page or "we don't share your data" in page
    assert "Global Privacy Control" in page.split("Your consent history", 1)[1]  # the ledger row


@pytest.mark.django_db
def test_long_histories_are_paged_with_a_fixed_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(user) -> tuple[int, str]:
        client.force_login(user)
        client.get(DASHBOARD_URL)  # warm the session
        with CaptureQueriesContext(connection) as captured:
            page = client.get(DASHBOARD_URL).content.decode()
        return len(captured), page

    short = UserFactory()
    consent(short, "topic:topic-0")
    disclose(short, "Carrier 0", "order:0")
    me = UserFactory()
    for n in range(60):
        consent(me, f"topic:topic-{n}")
        disclose(me, f"Carrier {n}", f"order:{n}")
    few, _ = queries_for(short)
    many, page = queries_for(me)
    # fixed, whatever the history's length; +2 for the words: the topics' names and the orders' numbers (one each)
    assert many == few <= 11 + 2 * len(registry.data_sections())
    assert "topic 59" in page
    assert "topic 9<" not in page
    assert "Page 1 of 2" in page
    older = client.get(DASHBOARD_URL + "?consents=2").content.decode()
    assert "Topic: topic 9<" in older
    assert client.get(DASHBOARD_URL + "?consents=zzz&disclosures=-4").status_code == 200
