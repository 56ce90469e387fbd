import pytest
from django.urls import reverse

from privacy.models import ConsentEvent, PrivacySettings
from tests.factories import UserFactory

COOKIES_URL = reverse("privacy:cookies")
AD_TAG = "tags.ad-partner.example"
GPC = {"Sec-GPC": "1"}


@pytest.mark.django_db
def test_a_guest_sending_gpc_gets_no_ad_tag_even_after_accept_all(client):
    client.post(COOKIES_URL, {"choice": "accept_all", "next": "/"}, headers=GPC)
    assert AD_TAG not in client.get("/", headers=GPC).content.decode()
    assert AD_TAG in client.get("/").content.decode()  # the same browser without the signal
    page = client.get(COOKIES_URL, headers=GPC).content.decode()
    assert "Global Privacy Control signal honoured" in page
    assert 'id="cookie-advertising"' not in page
    assert "refused by your browser&#x27;s Global Privacy Control signal" in page or (
        "refused by your browser's Global Privacy Control signal" in page
    )
    assert not ConsentEvent.objects.exists()  # guests: nothing stored


@pytest.mark.django_db
def test_no_notice_without_the_signal(client):
    page = client.get(COOKIES_URL, headers={"Sec-GPC": "0"}).content.decode()
    assert "Global Privacy Control signal honoured" not in page
    assert 'id="cookie-advertising"' in page


@pytest.mark.django_db
def test_gpc_is_recorded_once_per_account_not_on_every_request(client, django_assert_max_num_queries):
    user = UserFactory()
    client.force_login(user)
    client.get("/", headers=GPC)
    client.get(COOKIES_URL, headers=GPC)
    client.post(COOKIES_URL, {"choice": "accept_all", "next": "/"}, headers=GPC)
    events = ConsentEvent.objects.filter(method="gpc")
    assert events.count() == 1
    event = events.get()
    assert (event.user, event.subject, event.purpose, event.action) == (
        user,
        f"user:{user.pk}",
        "ad_sharing",
        "withdrawn",
    )
    assert PrivacySettings.objects.get(user=user).gpc_recorded_at is not None

    # later requests with the signal cost a read, never a write
    # session, user, privacy settings, and the home page's two shelves of products (none here)
    with django_assert_max_num_queries(6) as captured:
        html = client.get("/", headers=GPC).content.decode()
    assert not [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert AD_TAG not in html
    assert ConsentEvent.objects.filter(method="gpc").count() == 1
    # a standing refusal for the account: no ad tag in a browser that doesn't send the signal either
    assert AD_TAG not in client.get("/").content.decode()


@pytest.mark.django_db
def test_gpc_is_recorded_for_each_account_separately(client):
    first, second = UserFactory(), UserFactory()
    for user in (first, second, first):
        client.force_login(user)
        client.get("/", headers=GPC)
    assert sorted(ConsentEvent.objects.filter(method="gpc").values_list("user_id", flat=True)) == sorted(
        [first.pk, second.pk]
    )


@pytest.mark.django_db
def test_the_recording_service_is_idempotent():
    from privacy import services

    user = UserFactory()
    assert services.record_gpc_signal(user=user) is not None
    assert services.record_gpc_signal(user=user) is None
    assert ConsentEvent.objects.filter(method="gpc").count() == 1
