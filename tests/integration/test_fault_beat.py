"""Two `celery beat` processes running by mistake (two machines both started one): each slot is planned once."""

import datetime
import time
from collections import Counter

import pytest
from django.utils import timezone

from demo import mailbox
from subscriptions.models import Delivery, Edition, Subscriber, Subscription
from subscriptions.schedule import shop_zone
from tests.factories import launch_topics

from .conftest import Beat, wait_for


def next_slot() -> datetime.datetime:
    """The next whole minute in the shop's time zone at least 45 s away: the beats must be up before it (a beat that
    starts after its minute waits a week); on a loaded 2-core CI machine two beats and a worker take 20 s or more."""
    now = timezone.now().astimezone(shop_zone())
    minute = now.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    return minute if (minute - now).total_seconds() > 45 else minute + datetime.timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_two_beats_fire_the_same_slot_and_it_is_planned_and_sent_once(worker_factory, tmp_path, capsys):
    newsletter = launch_topics()["newsletter"]
    subscribers = Subscriber.objects.bulk_create(
        [Subscriber(email=f"beat{i:03d}@example.com", confirmed_at=timezone.now()) for i in range(60)]
    )
    Subscription.objects.bulk_create(
        [Subscription(subscriber=s, topic=newsletter, frequency="twice_weekly", state="active") for s in subscribers]
    )
    slot_at = next_slot()
    slot = f"{slot_at:%a}".lower() + f"@{slot_at:%H:%M}"
    edition = Edition.objects.create(
        topic=newsletter,
        subject="Beat drill",
        body_text="Hello",
        body_html="<p>Hello</p>",
        status=Edition.Status.SCHEDULED,
        slot_at=slot_at,
    )
    worker_factory.env.update(MAILING_SLOTS=slot, SUBSCRIPTIONS_SEND_BATCH_SIZE="20", SUBSCRIPTIONS_SEND_CHUNK="10")
    worker_factory.start()
    beats = [Beat(queue=worker_factory.queue, env=worker_factory.env, log=tmp_path / f"beat{n}.log") for n in (1, 2)]
    try:
        for beat in beats:
            beat.start()
        until_slot = (slot_at - timezone.now()).total_seconds()
        wait_for(
            lambda: Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT,
            timeout=until_slot + 120,
            interval=0.5,
        )
        wait_for(
            lambda: worker_factory.log.read_text().count("run_mailing_slot[") >= 4, timeout=30
        )  # 2 received, 2 done
        time.sleep(1)
    finally:
        for beat in beats:
            beat.stop()

    fired = [beat.log.read_text().count(f"Mailing slot {slot}") for beat in beats]
    with capsys.disabled():
        print(f"\n  slot {slot}: fired by beat 1 x{fired[0]}, beat 2 x{fired[1]}")
    assert fired == [1, 1]  # both beats really fired the slot
    assert Delivery.objects.filter(edition=edition).count() == 60  # planned once
    per_recipient = Counter(e.to for e in mailbox.list_emails(limit=1000))
    assert set(per_recipient) == {s.email for s in subscribers}
    assert set(per_recipient.values()) == {1}
