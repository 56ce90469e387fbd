"""Issue 13, item 5: "download my data" holds everything: the user agents of access-log and consent rows, every
address of the account, the legal basis of disclosures and the service announcements sent; the dashboard's "What
we hold about you" lists the profile, addresses, subscriptions and reviews, as the README promises."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from privacy.models import AccessLog, ConsentEvent, DataExport, Disclosure
from subscriptions.models import AnnouncementDelivery, ServiceAnnouncement
from tests.factories import AddressFactory, ReviewFactory, SubscriberFactory, SubscriptionFactory, UserFactory

AGENT = "Mozilla/5.0 (X11; Linux x86_64) ExportCheck/1.0"


@pytest.fixture
def person(topics):
    user = UserFactory(email="whole@example.org", first_name="Hole", last_name="Export")
    EmailAddress.objects.create(user=user, email="second@example.org", verified=True, primary=False)
    AddressFactory(user=user, city="Grenoble", line1="5 Place Grenette")
    subscriber = SubscriberFactory(email=user.email, user=user)
    SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"])
    ReviewFactory(email=user.email, title="Warm and light", city="Grenoble")
    AccessLog.objects.create(user=user, method="GET", path="/privacy/", status=200, user_agent=AGENT)
    ConsentEvent.objects.create(
        user=user,
        subject=f"user:{user.pk}",
        purpose="cookies:analytics",
        action="granted",
        method="cookie_banner",
        user_agent=AGENT,
    )
    Disclosure.objects.create(
        user=user,
        subject=f"user:{user.pk}",
        recipient_kind="lawful_request",
        recipient_name="A court",
        purpose="Investigation",
        data_categories=["name"],
        legal_basis="Court order 77/2026",
    )
    announcement = ServiceAnnouncement.objects.create(subject="Our terms change on 1 January", body_text="Details")
    AnnouncementDelivery.objects.create(announcement=announcement, user=user)
    return user


@pytest.mark.django_db
def test_the_export_holds_user_agents_addresses_legal_basis_and_announcements(
    client, person, django_capture_on_commit_callbacks
):
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:export"))
    payload = DataExport.objects.get(user=person).payload
    text = json.dumps(payload)
    sections = payload["sections"]
    assert AGENT in json.dumps(sections["access_logs"])
    assert AGENT in json.dumps(sections["consent_history"])
    assert "second@example.org" in text
    assert "Court order 77/2026" in json.dumps(sections["disclosures"])
    assert "Our terms change on 1 January" in text


@pytest.mark.django_db
def test_the_dashboard_lists_profile_addresses_subscriptions_and_reviews(client, person):
    client.force_login(person)
    page = client.get(reverse("privacy:dashboard")).content.decode()
    held = page.split('id="held-title"')[1].split('id="consents-title"')[0]
    for expected in (
        "Hole",
        "Export",
        "whole@example.org",
        "Grenoble",
        "5 Place Grenette",
        "Newsletter and special offers",
        "Warm and light",
    ):
        assert expected in held, expected
