"""Mailings through a real Celery worker on Redis: exact audience, crash safety, late unsubscribes."""

import datetime
import signal
import time
from collections import Counter

import pytest
from django.utils import timezone

from accounts.tasks import send_welcome_email
from demo import mailbox
from privacy.models import ConsentEvent
from subscriptions import mailing, services
from subscriptions.models import Edition, Subscriber, Subscription
from subscriptions.schedule import shop_zone
from tests.factories import SubscriberFactory, SubscriptionFactory, UserFactory, launch_topics

from .conftest import wait_for

FIRST_TUESDAY = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=shop_zone())


def scheduled_edition(topic) -> Edition:
    return Edition.objects.create(
        topic=topic,
        subject="December picks",
        body_text="Hello {{ topic.name }}",
        body_html="<p>Hello {{ topic.name }}</p>",
        status=Edition.Status.SCHEDULED,
        slot_at=FIRST_TUESDAY,
    )


def sent(edition_id: int) -> bool:
    return Edition.objects.get(pk=edition_id).status == Edition.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_an_edition_reaches_exactly_the_eligible_set_while_service_mail_reaches_everyone(celery_worker):
    topics = launch_topics()
    newsletter = topics["newsletter"]
    now = timezone.now()
    eligible = {"twice@example.com", "weekly@example.com", "monthly@example.com"}
    for email, frequency in [
        ("twice@example.com", "twice_weekly"),
        ("weekly@example.com", "weekly"),
        ("monthly@example.com", "monthly"),
        ("paused@example.com", "paused"),
    ]:
        SubscriptionFactory(subscriber=SubscriberFactory(email=email), topic=newsletter, frequency=frequency)
    opted_out_user = UserFactory(email="opted-out@example.com", first_name="Olga")
    for email, fields in [
        ("opted-out@example.com", {"unsubscribed_all_at": now, "user": opted_out_user}),
        ("unconfirmed@example.com", {"confirmed_at": None}),
        ("bounced@example.com", {"suppressed_reason": "bounce", "suppressed_at": now}),
        ("complained@example.com", {"suppressed_reason": "complaint", "suppressed_at": now}),
        ("deleted@example.com", {"user": UserFactory(email="deleted@example.com", is_active=False)}),
    ]:
        SubscriptionFactory(
            subscriber=SubscriberFactory(email=email, **fields), topic=newsletter, frequency="twice_weekly"
        )
    SubscriptionFactory(
        subscriber=SubscriberFactory(email="topic-off@example.com"), topic=newsletter, state="unsubscribed"
    )
    edition = scheduled_edition(newsletter)

    mailing.run_slot(slot_at=FIRST_TUESDAY)
    send_welcome_email.delay(opted_out_user.pk)  # account mail to the person who opted out of all marketing

    wait_for(lambda: sent(edition.pk) and len(mailbox.list_emails()) == 4)
    emails = mailbox.list_emails()
    commercial = {e.to for e in emails if e.message["List-Unsubscribe"]}
    assert commercial == eligible
    welcome = [e for e in emails if e.to == "opted-out@example.com"]
    assert len(welcome) == 1
    assert "Welcome" in welcome[0].subject
    assert welcome[0].message["List-Unsubscribe"] is None


@pytest.mark.django_db(transaction=True)
def test_an_unsubscribe_committed_between_planning_and_sending_stops_that_email(worker_factory):
    newsletter = launch_topics()["newsletter"]
    stays = SubscriptionFactory(subscriber=SubscriberFactory(email="stays@example.com"), topic=newsletter)
    leaves = SubscriptionFactory(subscriber=SubscriberFactory(email="leaves@example.com"), topic=newsletter)
    edition = scheduled_edition(newsletter)
    assert mailing.plan_edition(edition_id=edition.pk) == 2  # the batch task waits in Redis: no worker yet

    services.unsubscribe_topic(subscriber=leaves.subscriber, topic=newsletter, method=ConsentEvent.Method.EMAILED_LINK)
    worker_factory.start()

    wait_for(lambda: sent(edition.pk))
    assert [e.to for e in mailbox.list_emails()] == [stays.subscriber.email]
    assert edition.deliveries.get(subscriber=leaves.subscriber).status == "skipped"


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_edition_and_restarted_mails_everyone_exactly_once(worker_factory, capsys):
    newsletter = launch_topics()["newsletter"]
    count = 2000
    subscribers = Subscriber.objects.bulk_create(
        [Subscriber(email=f"reader{i:05d}@example.com", confirmed_at=timezone.now()) for i in range(count)]
    )
    Subscription.objects.bulk_create(
        [Subscription(subscriber=s, topic=newsletter, frequency="twice_weekly", state="active") for s in subscribers]
    )
    worker_factory.env.update(
        SUBSCRIPTIONS_SEND_BATCH_SIZE="200", SUBSCRIPTIONS_SEND_CHUNK="20", SUBSCRIPTIONS_SEND_LEASE_SECONDS="3"
    )
    edition = scheduled_edition(newsletter)
    worker_factory.start()
    mailing.plan_edition(edition_id=edition.pk)

    directory = mailbox.settings.MAILBOX_DIR
    wait_for(lambda: len(list(directory.glob("*.eml"))) >= 300, timeout=60, interval=0.01)
    worker_factory.kill(signal.SIGKILL)  # mid-edition, most likely mid-chunk
    at_kill = len(list(directory.glob("*.eml")))
    assert at_kill < count

    worker_factory.start()
    time.sleep(3.5)  # the dead worker's lease runs out
    from subscriptions.tasks import resume_stalled_editions

    resume_stalled_editions.delay()
    wait_for(lambda: sent(edition.pk), timeout=120)

    emails = mailbox.list_emails(limit=10 * count)
    per_recipient = Counter(e.to for e in {e.message["Message-ID"]: e for e in emails}.values())
    raw = Counter(e.to for e in emails)
    with capsys.disabled():
        print(
            f"\n  killed after {at_kill} messages; raw resends of an identical Message-ID: {sum(raw.values()) - count}"
        )
    assert set(per_recipient) == {s.email for s in subscribers}  # nobody lost
    assert set(per_recipient.values()) == {1}  # one distinct message each
    assert max(raw.values()) <= 2  # a resend happens at most once, inside the one chunk in flight
    assert sum(raw.values()) - count <= 20
