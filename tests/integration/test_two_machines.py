"""Workers on two machines: two worker processes with their own hostnames and queues drain one edition together."""

import re
import time
from collections import Counter

import pytest
from django.utils import timezone

from demo import mailbox
from subscriptions import mailing
from subscriptions.models import Edition, Subscriber, Subscription
from tests.factories import launch_topics

from .conftest import Worker, wait_for
from .test_mailing_worker import scheduled_edition

COUNT = 1000


def drain(edition_id: int) -> float:
    started = time.monotonic()
    mailing.plan_edition(edition_id=edition_id)
    wait_for(lambda: Edition.objects.get(pk=edition_id).status == Edition.Status.SENT, timeout=180, interval=0.05)
    return time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_two_workers_with_their_own_hostnames_and_queues_drain_one_edition_with_nobody_twice(
    worker_factory, tmp_path, settings, capsys
):
    newsletter = launch_topics()["newsletter"]
    subscribers = Subscriber.objects.bulk_create(
        [Subscriber(email=f"m{i:05d}@example.com", confirmed_at=timezone.now()) for i in range(COUNT)]
    )
    Subscription.objects.bulk_create(
        [Subscription(subscriber=s, topic=newsletter, frequency="twice_weekly", state="active") for s in subscribers]
    )
    settings.SUBSCRIPTIONS_SEND_BATCH_SIZE = 100
    shared = worker_factory.queue  # where the planner's batch tasks go
    env = {**worker_factory.env, "SUBSCRIPTIONS_SEND_BATCH_SIZE": "100", "SUBSCRIPTIONS_SEND_CHUNK": "50"}
    workers = [
        Worker(queue=f"{shared},{shared}-{name}", env=env, log=tmp_path / f"{name}.log", hostname=f"worker@{name}")
        for name in ("machine-a", "machine-b")
    ]
    try:
        for worker in workers:
            worker.start()
        elapsed = drain(scheduled_edition(newsletter).pk)
    finally:
        for worker in workers:
            worker.stop()

    emails = mailbox.list_emails(limit=10 * COUNT)
    per_recipient = Counter(e.to for e in emails)
    assert set(per_recipient) == {s.email for s in subscribers}
    assert set(per_recipient.values()) == {1}  # nobody twice
    # batches that sent something (a full batch chains one more task, which finds nothing left at the end)
    claims = [[int(n) for n in re.findall(r"'claimed': (\d+)", worker.log.read_text())] for worker in workers]
    batches = [sum(1 for n in claimed if n) for claimed in claims]
    assert all(n <= 100 for claimed in claims for n in claimed), claims
    for worker in workers:
        assert f"{worker.hostname} ready." in worker.log.read_text()
    # Both really took part. How the 10 batches split is the scheduler's business (a CI run through RabbitMQ and
    # PgBouncer on 2 busy cores split them 2 and 8): what must hold is nobody twice, nobody missing, both working.
    assert all(n >= 1 for n in batches), batches
    assert sum(batches) == COUNT // 100
    with capsys.disabled():
        print(f"\n  two workers: {COUNT} emails in {elapsed:.1f}s ({COUNT / elapsed:.0f}/s), batches {batches}")
