"""Issue 13, item 9: a guest subscription never confirmed is deleted after 30 days (a nightly beat task)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from privacy.models import ConsentEvent
from subscriptions import tasks
from subscriptions.models import Subscriber, Subscription
from subscriptions.schedule import beat_schedule
from tests.factories import SubscriberFactory, SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db


def aged(subscriber, days: int):
    Subscriber.objects.filter(pk=subscriber.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    return subscriber


def test_guests_left_unconfirmed_for_30_days_are_deleted_and_no_one_else():
    stale = aged(SubscriberFactory(email="never.confirmed@example.org", confirmed_at=None), 31)
    SubscriptionFactory(subscriber=stale, state="pending")
    ConsentEvent.objects.create(
        subject=stale.ledger_subject, purpose="topic:newsletter", action="requested", method="subscribe_form"
    )
    recent = aged(SubscriberFactory(confirmed_at=None), 29)
    confirmed = aged(SubscriberFactory(), 400)
    account = aged(SubscriberFactory(confirmed_at=None, user=UserFactory()), 60)  # waits for allauth's confirmation

    assert tasks.purge_unconfirmed_subscribers.delay().get() == 1

    assert not Subscriber.objects.filter(pk=stale.pk).exists()
    assert not Subscription.objects.filter(subscriber_id=stale.pk).exists()
    assert set(Subscriber.objects.values_list("pk", flat=True)) == {recent.pk, confirmed.pk, account.pk}
    assert ConsentEvent.objects.filter(subject=stale.ledger_subject).exists()  # the ledger keeps what was asked


def test_the_period_is_a_setting(settings):
    settings.SUBSCRIPTIONS_UNCONFIRMED_DAYS = 7
    stale = aged(SubscriberFactory(confirmed_at=None), 8)
    assert tasks.purge_unconfirmed_subscribers.delay().get() == 1
    assert not Subscriber.objects.filter(pk=stale.pk).exists()


def test_the_task_is_in_the_beat_schedule():
    entry = beat_schedule()["Delete unconfirmed subscriptions"]
    assert entry["task"] == tasks.purge_unconfirmed_subscribers.name
