"""The privacy dashboard and the export page speak in words, with one date format on the shop's clock (Paris);
the ledger and the JSON export keep the codes they stored (issue 15, item 8)."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy import services
from privacy.models import ConsentEvent, DataExport
from subscriptions import services as subscription_services
from subscriptions.models import Subscription
from tests.factories import AddressFactory, ProductFactory, SubscriberFactory, SubscriptionFactory, UserFactory
from tests.privacy.test_data_rights import place_order

CODES = ["twice_weekly", "do_not_share", "paused_until", "topic:newsletter", "order:", "preference_center", ">on<"]
# 15:08 UTC on 3 November 2026 is 16:08 in Paris (CET, UTC+1).
MOMENT = datetime.datetime(2026, 11, 3, 15, 8, tzinfo=datetime.UTC)


@pytest.fixture
def shopper_with_history(topics):
    """A shopper who subscribed, chose fewer emails, paused, said no to ad sharing and placed an order."""
    user = UserFactory(email="words@example.com")
    subscriber = SubscriberFactory(email=user.email, user=user)
    SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"], frequency="twice_weekly")
    subscription_services.change_frequency(
        subscriber=subscriber, topic=topics["newsletter"], frequency="weekly", method="preference_center"
    )
    subscription_services.change_frequency(
        subscriber=subscriber,
        topic=topics["newsletter"],
        frequency="weekly",
        paused_until=datetime.date(2026, 12, 12),
        method="preference_center",
    )
    services.record_consent(
        subject=f"user:{user.pk}", purpose="ad_sharing", action="withdrawn", method="preference_center",
        value="do_not_share", user=user,
    )  # fmt: skip
    order = place_order(user, AddressFactory(user=user), ProductFactory(price=Decimal("49.50")))
    ConsentEvent.objects.filter(user=user).update(created_at=MOMENT)
    return user, order


def visible_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.mark.django_db
def test_the_dashboard_shows_words_and_paris_times_not_codes(client, shopper_with_history):
    user, order = shopper_with_history
    client.force_login(user)
    html = client.get(reverse("privacy:dashboard")).content.decode()
    text = visible_text(html)
    assert "Topic: Newsletter and special offers" in text
    assert "Changed (once a week)" in text
    assert "Changed (paused until 12 December 2026)" in text
    assert "Sharing with our advertising partner Withdrawn Preference center" in text
    assert f"Order {order.number}" in text  # the disclosure to the carrier and the payment processor
    assert "3 November 2026, 16:08" in text  # the shop's clock, the shop's one date format
    assert "15:08" not in text
    for code in CODES:
        assert code not in text, code


@pytest.mark.django_db
def test_what_we_hold_writes_dates_one_way(client, shopper_with_history):
    user, order = shopper_with_history
    placed = timezone.localtime(order.placed_at)
    client.force_login(user)
    text = visible_text(client.get(reverse("privacy:dashboard")).content.decode())
    assert f"Placed {placed.day} {placed:%B %Y, %H:%M}" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO dates
    assert not re.search(r"\b[ap]\.m\.", text)  # nor Django's default "11:06 p.m."


@pytest.mark.django_db
def test_the_export_page_speaks_words_while_the_json_keeps_the_codes(
    client, shopper_with_history, django_capture_on_commit_callbacks
):
    user, order = shopper_with_history
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:export"))
    data_export = DataExport.objects.get(user=user)
    text = visible_text(client.get(reverse("privacy:export_page", args=[data_export.public_id])).content.decode())
    assert "Topic: Newsletter and special offers" in text
    assert "paused until 12 December 2026" in text
    assert f"Order {order.number}" in text
    assert "3 November 2026, 16:08" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", text)
    for code in CODES:
        assert code not in text, code
    raw = json.loads(client.get(reverse("privacy:export_json", args=[data_export.public_id])).content)
    history = raw["sections"]["consent_history"]["items"]
    assert any(item["purpose"] == "topic:newsletter" and item["value"] == "weekly" for item in history)
    assert any(item["reference"] == f"order:{order.pk}" for item in raw["sections"]["disclosures"]["items"])


@pytest.mark.django_db
def test_an_unknown_code_is_shown_as_stored_rather_than_hidden(client, topics):
    """A purpose no app words (an old code, a removed topic) still appears: the history never loses a row."""
    user = UserFactory()
    services.record_consent(
        subject=f"user:{user.pk}", purpose="topic:retired-topic", action="granted", method="preference_center",
        value="fortnightly", user=user,
    )  # fmt: skip
    client.force_login(user)
    text = visible_text(client.get(reverse("privacy:dashboard")).content.decode())
    assert "Topic: retired topic Granted (fortnightly)" in text
    assert Subscription.objects.count() == 0
