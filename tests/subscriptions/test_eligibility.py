import datetime

import pytest
from django.utils import timezone

from subscriptions.models import Subscriber
from subscriptions.selectors import eligible_subscriptions, explain_receipts, shop_today
from tests.factories import SubscriberFactory, SubscriptionFactory, UserFactory

TODAY = shop_today()


def receives(subscription, **kwargs) -> bool:
    return eligible_subscriptions(subscription.topic, **kwargs).filter(pk=subscription.pk).exists()


@pytest.mark.django_db
def test_a_confirmed_active_subscription_is_eligible(topics):
    subscription = SubscriptionFactory(topic=topics["newsletter"])
    assert receives(subscription)
    assert not eligible_subscriptions(topics["contests"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("subscriber_fields", "subscription_fields", "reason"),
    [
        ({"confirmed_at": None}, {}, "Waiting for the address to be confirmed"),
        ({}, {"state": "pending"}, "Waiting for the address to be confirmed"),
        ({}, {"state": "unsubscribed"}, "Unsubscribed from this topic"),
        ({"unsubscribed_all_at": timezone.now()}, {}, "Unsubscribed from all marketing"),
        ({"suppressed_reason": "bounce", "suppressed_at": timezone.now()}, {}, "suppressed (hard bounce)"),
        ({"suppressed_reason": "complaint", "suppressed_at": timezone.now()}, {}, "suppressed (spam complaint)"),
        ({}, {"frequency": "paused"}, "Paused by the subscriber"),
        ({}, {"paused_until": TODAY}, f"Paused until {TODAY.isoformat()}"),
    ],
)
def test_each_rule_excludes_and_the_admin_explanation_says_why(topics, subscriber_fields, subscription_fields, reason):
    subscriber = SubscriberFactory(**subscriber_fields)
    subscription = SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"], **subscription_fields)
    assert not receives(subscription)
    [newsletter] = [r for r in explain_receipts(subscriber) if r.topic.slug == "newsletter"]
    assert newsletter.receives is False
    assert reason in newsletter.reason


@pytest.mark.django_db
def test_a_pause_ends_after_its_date(topics):
    subscription = SubscriptionFactory(topic=topics["newsletter"], paused_until=TODAY + datetime.timedelta(days=3))
    assert not receives(subscription)
    assert not receives(subscription, on=TODAY + datetime.timedelta(days=3))
    assert receives(subscription, on=TODAY + datetime.timedelta(days=4))


@pytest.mark.django_db
def test_a_deactivated_account_gets_nothing(topics):
    user = UserFactory()
    subscription = SubscriptionFactory(
        subscriber=SubscriberFactory(user=user, email=user.email), topic=topics["newsletter"]
    )
    assert receives(subscription)
    user.is_active = False
    user.save()
    assert not receives(subscription)
    assert "deactivated" in explain_receipts(subscription.subscriber)[0].reason


@pytest.mark.django_db
def test_an_inactive_topic_sends_nothing(topics):
    subscription = SubscriptionFactory(topic=topics["newsletter"])
    topics["newsletter"].is_active = False
    topics["newsletter"].save()
    assert not receives(subscription)


@pytest.mark.django_db
def test_frequencies_narrow_to_a_slot(topics):
    weekly = SubscriptionFactory(topic=topics["newsletter"], frequency="weekly")
    twice = SubscriptionFactory(topic=topics["newsletter"], frequency="twice_weekly")
    assert list(eligible_subscriptions(topics["newsletter"], frequencies=["twice_weekly"])) == [twice]
    assert set(eligible_subscriptions(topics["newsletter"])) == {weekly, twice}


@pytest.mark.django_db
def test_the_audience_query_is_one_query_however_many_subscribers(topics, django_assert_num_queries):
    for _ in range(20):
        SubscriptionFactory(topic=topics["newsletter"])
    with django_assert_num_queries(1):
        assert len(list(eligible_subscriptions(topics["newsletter"]).select_related("subscriber"))) == 20


@pytest.mark.django_db
def test_email_addresses_are_stored_normalised_and_unique(db):
    from django.db import IntegrityError, transaction

    SubscriberFactory(email="one@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(email="Two@Example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(email="one@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(email="three@example.com", suppressed_reason="bounce")  # reason without a time
