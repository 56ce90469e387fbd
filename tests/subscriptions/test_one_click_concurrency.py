"""Two one-click POSTs for the same topic at the same moment (a mail provider retrying while the first is still in
flight) write one ConsentEvent: the second's UPDATE waits for the first's row lock, re-checks its WHERE and changes
nothing. unsubscribe_topic takes no subscriber lock since issue 18; the row lock of its single statement is enough."""

import threading

import pytest
from django.db import connections, transaction

from privacy.models import ConsentEvent
from subscriptions import services
from subscriptions.models import Subscription
from tests.factories import SubscriberFactory, SubscriptionFactory, TopicFactory
from tests.shop.test_outbox_concurrency import a_backend_waits_for_a_lock, wait_until


@pytest.mark.django_db(transaction=True)
def test_concurrent_one_clicks_write_one_event():
    topic = TopicFactory(slug="concurrent-news")
    subscriber = SubscriberFactory(email="both@example.com")
    SubscriptionFactory(subscriber=subscriber, topic=topic)
    holding, release = threading.Event(), threading.Event()
    results = {}

    def first():
        try:
            with transaction.atomic():  # the first request's statement ran; its transaction is still open
                results["first"] = services.unsubscribe_topic(subscriber=subscriber, topic=topic, method="one_click")
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            results["second"] = services.unsubscribe_topic(subscriber=subscriber, topic=topic, method="one_click")
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(10)
    two = threading.Thread(target=second)
    two.start()
    wait_until(a_backend_waits_for_a_lock)  # the retry is blocked on the first one's row lock
    release.set()
    one.join(10)
    two.join(10)

    assert results == {"first": True, "second": False}
    assert Subscription.objects.get(subscriber=subscriber, topic=topic).state == "unsubscribed"
    assert ConsentEvent.objects.filter(subject=subscriber.ledger_subject, action="withdrawn").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_one_click_waits_for_a_preference_save_in_flight_and_writes_after_it():
    """The preference center holds the subscriber's and its subscriptions' locks: a one-click arriving meanwhile
    waits, then applies on top, and the ledger's last word for the topic is the withdrawal."""
    topic = TopicFactory(slug="ordered-news")
    subscriber = SubscriberFactory(email="order@example.com")
    SubscriptionFactory(subscriber=subscriber, topic=topic, frequency="weekly")
    holding, release = threading.Event(), threading.Event()

    def preference_save():
        try:
            with transaction.atomic():
                services.update_topics(subscriber=subscriber, choices={topic: "monthly"}, method="preference_center")
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def one_click():
        try:
            services.unsubscribe_topic(subscriber=subscriber, topic=topic, method="one_click")
        finally:
            connections.close_all()

    save = threading.Thread(target=preference_save)
    save.start()
    assert holding.wait(10)
    click = threading.Thread(target=one_click)
    click.start()
    wait_until(a_backend_waits_for_a_lock)
    release.set()
    save.join(10)
    click.join(10)

    subscription = Subscription.objects.get(subscriber=subscriber, topic=topic)
    assert (subscription.state, subscription.frequency) == ("unsubscribed", "monthly")
    actions = list(
        ConsentEvent.objects.filter(subject=subscriber.ledger_subject).order_by("pk").values_list("action", flat=True)
    )
    assert actions[-1] == "withdrawn"
