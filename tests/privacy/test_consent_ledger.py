"""Every consent change writes exactly one ConsentEvent, with the right method, in the same transaction."""

import datetime

import pytest
from django.db import transaction
from django.test import RequestFactory

from privacy.models import ConsentEvent
from subscriptions import services
from subscriptions.models import Subscription
from subscriptions.selectors import shop_today
from subscriptions.services import consent
from tests.factories import SubscriberFactory, UserFactory

M = ConsentEvent.Method
LATER = shop_today() + datetime.timedelta(days=10)

CHANGES = {
    "topic frequency": (
        lambda s, t, m, r: services.update_topics(
            subscriber=s, choices={t["newsletter"]: "weekly"}, method=m, request=r
        ),
        "topic:newsletter",
        "changed",
        "weekly",
    ),
    "topic off": (
        lambda s, t, m, r: services.update_topics(subscriber=s, choices={t["newsletter"]: "off"}, method=m, request=r),
        "topic:newsletter",
        "withdrawn",
        "",
    ),
    "topic on": (
        lambda s, t, m, r: services.update_topics(
            subscriber=s, choices={t["contests"]: "monthly"}, method=m, request=r
        ),
        "topic:contests",
        "granted",
        "monthly",
    ),
    "unsubscribe topic": (
        lambda s, t, m, r: services.unsubscribe_topic(subscriber=s, topic=t["newsletter"], method=m, request=r),
        "topic:newsletter",
        "withdrawn",
        "",
    ),
    "fewer emails": (
        lambda s, t, m, r: services.change_frequency(
            subscriber=s, topic=t["newsletter"], frequency="monthly", method=m, request=r
        ),
        "topic:newsletter",
        "changed",
        "monthly",
    ),
    "pause all": (
        lambda s, t, m, r: services.pause_all(subscriber=s, until=LATER, method=m, request=r),
        "marketing:all",
        "changed",
        f"paused_until:{LATER}",
    ),
    "unsubscribe all": (
        lambda s, t, m, r: services.unsubscribe_all(subscriber=s, method=m, request=r),
        "marketing:all",
        "withdrawn",
        "",
    ),
    "suppress": (
        lambda s, t, m, r: services.suppress_subscriber(subscriber=s, reason="complaint", method=m, request=r),
        "marketing:all",
        "withdrawn",
        "complaint",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("method", [M.PREFERENCE_CENTER, M.ONE_CLICK, M.STAFF])
def test_each_change_writes_exactly_one_event_with_its_method(subscriber, topics, ledger, change, method):
    apply, purpose, action, value = CHANGES[change]
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Mail/1.0")
    assert apply(subscriber, topics, method, request) is not False
    [event] = ledger.new()
    assert (event.subject, event.purpose, event.action, event.value, event.method) == (
        f"subscriber:{subscriber.pk}",
        purpose,
        action,
        value,
        method,
    )
    assert event.ip_prefix == "203.0.113.0/24"  # never the full address
    assert event.user_agent == "Mail/1.0"
    # Repeating the same change is not a change: nothing more is written.
    apply(subscriber, topics, method, request)
    assert len(ledger.new()) == 1


@pytest.mark.django_db
def test_ipv6_is_truncated_to_48_bits(subscriber, topics, ledger):
    request = RequestFactory().post("/", REMOTE_ADDR="2001:db8:abcd:12:1:2:3:4")
    services.unsubscribe_topic(subscriber=subscriber, topic=topics["newsletter"], method=M.ONE_CLICK, request=request)
    assert ledger.new()[0].ip_prefix == "2001:db8:abcd::/48"


@pytest.mark.django_db
def test_the_event_and_the_change_share_one_transaction(subscriber, topics, ledger, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("ledger down")

    monkeypatch.setattr(consent, "record_consent", broken)
    with pytest.raises(RuntimeError):
        services.update_topics(subscriber=subscriber, choices={topics["newsletter"]: "off"}, method=M.STAFF)
    assert Subscription.objects.get(subscriber=subscriber).state == "active"  # rolled back with the event


@pytest.mark.django_db
def test_one_click_writes_the_change_and_its_event_in_one_statement_or_neither(subscriber, topics, ledger, monkeypatch):
    """unsubscribe_topic's UPDATE and INSERT are one statement (record_consent_on_update): an INSERT that fails (here
    a purpose longer than its column) takes the UPDATE with it, and a long value is refused, never truncated."""
    from django.db import DataError

    from privacy.services import ledger as ledger_module

    real = ledger_module._new_event

    def too_long(**kwargs):
        event = real(**kwargs)
        event.purpose = "topic:" + "x" * 500
        return event

    monkeypatch.setattr(ledger_module, "_new_event", too_long)
    with pytest.raises(DataError), transaction.atomic():
        services.unsubscribe_topic(subscriber=subscriber, topic=topics["newsletter"], method=M.ONE_CLICK)
    assert Subscription.objects.get(subscriber=subscriber).state == "active"
    assert ledger.new() == []


@pytest.mark.django_db
def test_events_name_the_linked_account(topics, ledger):
    user = UserFactory()
    subscriber = SubscriberFactory(email=user.email, user=user)
    with transaction.atomic():
        services.update_topics(subscriber=subscriber, choices={topics["newsletter"]: "weekly"}, method=M.STAFF)
    assert ledger.new()[0].user == user
