import pytest
from django.urls import reverse

from privacy.models import ConsentEvent
from subscriptions.models import Subscription
from subscriptions.services import unsubscribe_topic
from tests.factories import StaffFactory, SubscriberFactory, SubscriptionFactory


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


@pytest.mark.django_db
def test_subscribers_are_searchable_by_email(staff_client, subscriber, django_assert_max_num_queries):
    for _ in range(10):
        SubscriberFactory()
    url = reverse("admin:subscriptions_subscriber_changelist")
    with django_assert_max_num_queries(10):
        page = staff_client.get(url, {"q": "reader@"}).content.decode()
    assert "reader@example.com" in page
    assert "1 result" in page


@pytest.mark.django_db
def test_a_subscriber_page_shows_subscriptions_ledger_and_what_they_receive(staff_client, subscriber, topics):
    SubscriptionFactory(subscriber=subscriber, topic=topics["contests"], frequency="monthly")
    unsubscribe_topic(subscriber=subscriber, topic=topics["contests"], method=ConsentEvent.Method.ONE_CLICK)
    page = staff_client.get(reverse("admin:subscriptions_subscriber_change", args=[subscriber.pk])).content.decode()
    assert "Newsletter and special offers</strong>: receives (Twice a week.)" in page
    assert "Contests and giveaways</strong>: receives nothing (Unsubscribed from this topic.)" in page
    assert "One-click unsubscribe header" in page  # the ledger row
    assert "Order, account and service emails are always sent" in page


@pytest.mark.django_db
def test_staff_actions_go_through_services_and_write_staff_events(staff_client, subscriber):
    url = reverse("admin:subscriptions_subscriber_changelist")
    staff_client.post(url, {"action": "unsubscribe_from_all", "_selected_action": [subscriber.pk]})
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_all_at is not None
    staff_client.post(url, {"action": "resubscribe_to_all", "_selected_action": [subscriber.pk]})
    assert Subscription.objects.get(subscriber=subscriber).state == "active"
    events = ConsentEvent.objects.filter(subject=f"subscriber:{subscriber.pk}").order_by("id")
    assert [(e.purpose, e.action, e.method) for e in events] == [
        ("marketing:all", "withdrawn", "staff"),
        ("marketing:all", "granted", "staff"),
    ]


@pytest.mark.django_db
def test_staff_cannot_edit_consent_directly(staff_client, subscriber):
    page = staff_client.get(reverse("admin:subscriptions_subscriber_change", args=[subscriber.pk])).content.decode()
    assert 'name="subscriptions-0-state"' not in page
    assert 'name="confirmed_at' not in page
    assert staff_client.get(reverse("admin:subscriptions_subscriber_add")).status_code == 403


# The translations inline's management form: no row added.
NO_TRANSLATIONS = {"translations-TOTAL_FORMS": "0", "translations-INITIAL_FORMS": "0"}


@pytest.mark.django_db
def test_topics_are_editable_with_their_allowed_frequencies(staff_client, topics):
    url = reverse("admin:subscriptions_topic_change", args=[topics["contests"].pk])
    response = staff_client.post(
        url,
        {
            "name": "Contests",
            "description": "",
            "allowed_frequencies": ["weekly"],
            "default_frequency": "monthly",
            "is_active": "on",
            "position": "3",
            **NO_TRANSLATIONS,
        },
    )
    assert response.status_code == 200
    assert "The default must be one of the allowed frequencies." in response.content.decode()
    staff_client.post(
        url,
        {
            "name": "Contests",
            "allowed_frequencies": ["weekly", "monthly"],
            "default_frequency": "monthly",
            "is_active": "on",
            "position": "3",
            **NO_TRANSLATIONS,
        },
    )
    topics["contests"].refresh_from_db()
    assert topics["contests"].name == "Contests"
    assert topics["contests"].slug == "contests"
