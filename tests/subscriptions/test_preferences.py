import datetime

import pytest
from django.test import Client
from django.urls import reverse

from subscriptions.models import Subscriber, Subscription
from subscriptions.selectors import eligible_subscriptions, shop_today
from subscriptions.tokens import Purpose, make_token
from tests.factories import SubscriberFactory, SubscriptionFactory, TopicFactory, UserFactory

URL = reverse("subscriptions:preferences")


def token_url(subscriber) -> str:
    return reverse("subscriptions:preferences_token", args=[make_token(subscriber, purpose=Purpose.PREFERENCES)])


def topic_choices(**values) -> dict:
    data = {
        "action": "topics",
        "topic-newsletter": "off",
        "topic-new-brands-and-styles": "off",
        "topic-contests": "off",
    }
    data.update({f"topic-{slug.replace('_', '-')}": value for slug, value in values.items()})
    return data


@pytest.mark.django_db
def test_the_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_the_page_lists_every_topic_and_promises_service_mail_still_arrives(client, topics):
    client.force_login(UserFactory())
    page = client.get(URL).content.decode()
    for topic in topics.values():
        assert topic.name in page
    assert "Order, account and service emails" in page
    assert "still arrive" in page
    assert "Pause everything until" in page
    assert "Unsubscribe from all marketing" in page
    assert not Subscriber.objects.exists()  # looking writes nothing


@pytest.mark.django_db
def test_a_shopper_picks_topics_and_frequencies_and_sees_a_confirmation(client, topics, ledger):
    user = UserFactory(email="Ada@Example.com")
    client.force_login(user)
    response = client.post(URL, topic_choices(newsletter="weekly", contests="monthly"), follow=True)
    assert "Your choices are saved." in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.user, subscriber.confirmed_at is not None) == ("ada@example.com", user, True)
    assert {s.topic.slug: (s.state, s.frequency) for s in subscriber.subscriptions.all()} == {
        "newsletter": ("active", "weekly"),
        "contests": ("active", "monthly"),
    }
    assert [(e.purpose, e.action, e.value, e.method) for e in ledger.new()] == [
        ("topic:newsletter", "granted", "weekly", "preference_center"),
        ("topic:contests", "granted", "monthly", "preference_center"),
    ]
    assert eligible_subscriptions(topics["newsletter"]).get().subscriber == subscriber
    # Saving the same choices again changes nothing and writes nothing.
    client.post(URL, topic_choices(newsletter="weekly", contests="monthly"))
    assert len(ledger.new()) == 2
    page = client.get(URL).content.decode()
    assert '<option value="weekly" selected>Once a week</option>' in page


@pytest.mark.django_db
def test_the_emailed_link_opens_the_same_page_without_login(client, subscriber, topics, ledger):
    url = token_url(subscriber)
    page = client.get(url).content.decode()
    assert '<option value="twice_weekly" selected>' in page
    assert "r•••@example.com" in page
    assert "reader@example.com" not in page
    response = client.post(url, topic_choices(newsletter="monthly"), follow=True)
    assert "Your choices are saved." in response.content.decode()
    assert Subscription.objects.get(subscriber=subscriber).frequency == "monthly"
    [event] = ledger.new()
    assert (event.action, event.value, event.method) == ("changed", "monthly", "preference_center")


@pytest.mark.django_db
def test_pause_everything_until_a_date_then_resume(client, subscriber, topics, ledger):
    SubscriptionFactory(subscriber=subscriber, topic=topics["contests"], frequency="monthly")
    url = token_url(subscriber)
    until = shop_today() + datetime.timedelta(days=20)
    response = client.post(url, {"action": "pause", "until": until.isoformat()}, follow=True)
    assert f"paused until {until:%-d %B %Y}" in response.content.decode()
    assert set(subscriber.subscriptions.values_list("paused_until", flat=True)) == {until}
    assert not eligible_subscriptions(topics["newsletter"]).exists()
    assert eligible_subscriptions(topics["newsletter"], on=until + datetime.timedelta(days=1)).exists()
    [event] = ledger.new()
    assert (event.purpose, event.action, event.value) == ("marketing:all", "changed", f"paused_until:{until}")

    client.post(url, {"action": "resume"})
    assert set(subscriber.subscriptions.values_list("paused_until", flat=True)) == {None}
    assert eligible_subscriptions(topics["newsletter"]).exists()
    assert [e.value for e in ledger.new()] == [f"paused_until:{until}", "resumed"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("until", "message"),
    [
        ("yesterday", "Please choose a date after today."),
        ("far", "Please choose a date within a year."),
        ("2027-02-30", "Please enter a date like"),
        ("", "Please enter a date."),
    ],
)
def test_bad_pause_dates_get_a_clear_message_and_change_nothing(client, subscriber, ledger, until, message):
    value = {
        "yesterday": (shop_today() - datetime.timedelta(days=1)).isoformat(),
        "far": (shop_today() + datetime.timedelta(days=400)).isoformat(),
    }.get(until, until)
    response = client.post(token_url(subscriber), {"action": "pause", "until": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ledger.new() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"action": "topics", "topic-newsletter": "hourly"},
        {"action": "topics", "topic-contests": "twice_weekly"},  # not offered for contests
        {"action": "topics"},
        {"action": "explode"},
        {},
    ],
)
def test_bad_topic_input_changes_nothing(client, subscriber, ledger, data):
    response = client.post(token_url(subscriber), data)
    assert response.status_code == 400
    assert Subscription.objects.get(subscriber=subscriber).frequency == "twice_weekly"
    assert ledger.new() == []


@pytest.mark.django_db
def test_unsubscribe_from_all_then_undo_restores_exactly_the_earlier_choices(client, subscriber, topics, ledger):
    SubscriptionFactory(subscriber=subscriber, topic=topics["contests"], frequency="monthly", state="unsubscribed")
    url = token_url(subscriber)
    response = client.post(url, {"action": "unsubscribe_all"}, follow=True)
    page = response.content.decode()
    assert "You are unsubscribed from all marketing email." in page
    assert "Resubscribe to my earlier choices" in page
    assert not eligible_subscriptions(None).exists()
    [event] = ledger.new()
    assert (event.purpose, event.action, event.method) == ("marketing:all", "withdrawn", "preference_center")

    client.post(url, {"action": "resubscribe_all"})
    states = dict(subscriber.subscriptions.values_list("topic__slug", "state"))
    assert states == {"newsletter": "active", "contests": "unsubscribed"}  # contests was off before
    assert [e.action for e in ledger.new()] == ["withdrawn", "granted"]


@pytest.mark.django_db
def test_choosing_a_topic_after_unsubscribing_from_all_turns_marketing_back_on(client, subscriber, topics):
    url = token_url(subscriber)
    client.post(url, {"action": "unsubscribe_all"})
    client.post(url, topic_choices(contests="weekly"))
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_all_at is None
    assert [s.topic.slug for s in eligible_subscriptions(None)] == ["contests"]


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_with_3_or_30_topics(client, subscriber, topics, django_assert_num_queries):
    user = UserFactory()
    logged_in = SubscriberFactory(email=user.email, user=user)
    for topic in topics.values():
        SubscriptionFactory(subscriber=logged_in, topic=topic, frequency=topic.default_frequency)
    client.force_login(user)
    # session, user, privacy settings (cookie banner), the person's confirmed addresses (one UNION), subscriber,
    # topics, subscriptions, access log insert
    with django_assert_num_queries(8):
        client.get(URL)
    anonymous = Client()
    with django_assert_num_queries(3):  # subscriber (from the token), topics, subscriptions
        anonymous.get(token_url(subscriber))
    for n in range(27):
        topic = TopicFactory(slug=f"extra-{n}")
        SubscriptionFactory(subscriber=logged_in, topic=topic)
        SubscriptionFactory(subscriber=subscriber, topic=topic)
    with django_assert_num_queries(8):
        page = client.get(URL).content.decode()
    assert page.count('<select name="topic-') == 30
    with django_assert_num_queries(3):
        assert anonymous.get(token_url(subscriber)).content.decode().count('<select name="topic-') == 30
