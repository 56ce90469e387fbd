"""The sending pipeline (SUBSCRIPTIONS_SEND_PIPELINE): with a batch-API ESP, a chunk's call runs in a background
thread while the task builds the next chunk, records the last and claims the next batch; 0 keeps one chunk at a time.
Through anymail's real SendGrid backend against the stand-in ESP, slowed down so the overlap is measurable."""

import itertools
import threading
import time

import pytest

from subscriptions import mailing
from subscriptions.mailing import claiming, sending
from subscriptions.models import Delivery, Edition
from tests.factories import SubscriberFactory, SubscriptionFactory

from .test_mailing import make_edition

LATENCY = 0.3


@pytest.fixture
def slow_sendgrid(settings, esp_server):
    configured = esp_server.anymail_settings("sendgrid")
    settings.EMAIL_BACKEND = configured["EMAIL_BACKEND"]
    settings.ANYMAIL = configured["ANYMAIL"]
    settings.SUBSCRIPTIONS_SEND_CHUNK = 1  # one recipient per call: each reader is a chunk
    esp_server.latency = LATENCY
    return esp_server


def planned(topics, count: int) -> Edition:
    for i in range(count):
        subscriber = SubscriberFactory(email=f"reader{i}@example.com")
        SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"], frequency="twice_weekly")
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    return edition


@pytest.fixture
def events(monkeypatch):
    """(what, chunk's first delivery id, start, end, thread name) of each build, call and record."""
    log: list[tuple[str, int, float, float, str]] = []

    def spy(owner, name, what, first_id):
        real = getattr(owner, name)

        def wrapper(*args, **kwargs):
            started = time.monotonic()
            try:
                return real(*args, **kwargs)
            finally:
                log.append((what, first_id(*args), started, time.monotonic(), threading.current_thread().name))

        monkeypatch.setattr(owner, name, wrapper)

    spy(sending.BatchSender, "prepare", "build", lambda self, chunk: chunk[0].id)
    spy(sending.BatchSender, "dispatch", "call", lambda self, parts, connection=None: parts[0][0][0].id)
    spy(claiming, "mark_sent", "record", lambda sent: min(sent, default=0))
    return log


def sent_once(esp_server, count: int) -> None:
    received = sorted(m["to"] for m in esp_server.messages())
    assert received == sorted(f"reader{i}@example.com" for i in range(count))
    assert Delivery.objects.filter(status=Delivery.Status.SENT).exclude(esp_message_id="").count() == count


@pytest.mark.django_db
def test_the_next_chunk_is_built_and_the_last_recorded_while_a_call_is_at_the_esp(
    settings, slow_sendgrid, topics, events
):
    settings.SUBSCRIPTIONS_SEND_PIPELINE = 1
    edition = planned(topics, 3)

    result = mailing.send_batch(edition_id=edition.pk)

    assert (result.sent, result.failed, result.released) == (3, 0, 0)
    sent_once(slow_sendgrid, 3)
    calls = {first: (start, end, thread) for what, first, start, end, thread in events if what == "call"}
    builds = {first: end for what, first, _, end, _ in events if what == "build"}
    first, second, _ = sorted(calls)
    assert all(thread != threading.current_thread().name for *_, thread in calls.values())  # in the background
    assert builds[first] < builds[second] < calls[first][1]  # chunk 2 built while chunk 1 was at the ESP
    record_first = next(start for what, first_id, start, *_ in events if what == "record" and first_id == first)
    assert record_first < calls[second][0]  # recorded before the next call goes: a crash resends one chunk at most
    assert calls[first][1] <= calls[second][0]  # one call in flight at a time (SEND_PIPELINE 1)


@pytest.mark.django_db
def test_two_calls_in_flight_take_about_one_call_time_per_two_chunks(settings, slow_sendgrid, topics):
    edition = planned(topics, 4)
    settings.SUBSCRIPTIONS_SEND_PIPELINE = 2

    started = time.monotonic()
    result = mailing.send_batch(edition_id=edition.pk)
    elapsed = time.monotonic() - started

    assert result.sent == 4
    sent_once(slow_sendgrid, 4)
    assert elapsed < 3.5 * LATENCY  # one at a time would be 4 calls: at least 4 x LATENCY


@pytest.mark.django_db
def test_a_full_batch_claims_the_next_while_its_last_call_is_at_the_esp(settings, slow_sendgrid, topics, monkeypatch):
    settings.SUBSCRIPTIONS_SEND_PIPELINE = 1
    settings.SUBSCRIPTIONS_SEND_BATCH_SIZE = 2
    edition = planned(topics, 5)
    claims: list[int] = []
    real_claim = claiming.claim

    def claim(*args):
        ids = real_claim(*args)
        claims.append(len(ids))
        return ids

    monkeypatch.setattr(claiming, "claim", claim)

    result = mailing.send_batch(edition_id=edition.pk)

    assert claims == [2, 2, 1]  # one task went on through three batches (the last one short: it stopped there)
    assert (result.claimed, result.sent) == (5, 5)
    sent_once(slow_sendgrid, 5)
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["pause", "cancel"])
def test_a_call_in_flight_when_staff_stop_the_edition_is_recorded_and_nothing_after_it_goes(
    settings, slow_sendgrid, topics, monkeypatch, action
):
    settings.SUBSCRIPTIONS_SEND_PIPELINE = 1
    edition = planned(topics, 4)
    real_prepare = sending.BatchSender.prepare
    builds = []

    def prepare(self, chunk):
        builds.append(chunk[0].id)
        if len(builds) == 2:  # chunk 1 is at the ESP right now
            getattr(mailing, f"{action}_edition")(edition_id=edition.pk)
        return real_prepare(self, chunk)

    monkeypatch.setattr(sending.BatchSender, "prepare", prepare)

    result = mailing.send_batch(edition_id=edition.pk)

    assert result.sent == 1
    assert len(slow_sendgrid.messages()) == 1
    first = Delivery.objects.get(pk=builds[0])
    assert first.status == Delivery.Status.SENT
    assert first.esp_message_id  # its answer was recorded
    rest = Delivery.objects.exclude(pk=first.pk)
    if action == "pause":
        assert set(rest.values_list("status", "lease_until", "attempts")) == {("queued", None, 0)}  # handed back
    else:
        assert set(rest.values_list("status", flat=True)) == {"skipped"}


@pytest.mark.django_db
def test_pipeline_0_builds_calls_and_records_one_chunk_at_a_time_in_one_batch(settings, slow_sendgrid, topics, events):
    settings.SUBSCRIPTIONS_SEND_PIPELINE = 0
    settings.SUBSCRIPTIONS_SEND_BATCH_SIZE = 3
    slow_sendgrid.latency = 0.05
    edition = planned(topics, 4)

    result = mailing.send_batch(edition_id=edition.pk)

    assert (result.claimed, result.sent) == (3, 3)  # one batch per task, as before
    assert [what for what, *_ in events] == ["build", "call", "record"] * 3
    assert {thread for *_, thread in events} == {threading.current_thread().name}
    for before, after in itertools.pairwise(events):
        assert before[3] <= after[2]  # each step ends before the next begins
    assert mailing.send_batch(edition_id=edition.pk).sent == 1
    sent_once(slow_sendgrid, 4)
