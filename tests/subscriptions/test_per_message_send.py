"""Per-message ESPs (Postmark here, through anymail's real backend and the stand-in ESP): SEND_CONCURRENCY calls in
flight, the next chunk's messages handed to the pool before the last chunk is recorded (SEND_PIPELINE + 1 chunks in
flight at most), each recipient exactly once, pause between chunks, a crash resending only what was in flight (with
the same Message-ID); and the sending threads' connections reading the environment once, not per call."""

import datetime
import threading
import time
from collections import Counter

import pytest
import requests
from django.core.mail import get_connection
from django.utils import timezone

from subscriptions import mailing
from subscriptions.mailing import claiming, inflight, sending
from subscriptions.models import Delivery, Edition
from tests.factories import SubscriberFactory, SubscriptionFactory

from .test_mailing import make_edition

LATENCY = 0.3


@pytest.fixture(autouse=True)
def _one_call_per_message(settings):
    """Postmark and SES go per message here (no stored template: test_esp_templates.py covers that path)."""
    settings.SUBSCRIPTIONS_ESP_TEMPLATES = False


@pytest.fixture
def slow_postmark(settings, esp_server):
    configured = esp_server.anymail_settings("postmark")
    settings.EMAIL_BACKEND = configured["EMAIL_BACKEND"]
    settings.ANYMAIL = configured["ANYMAIL"]
    settings.SUBSCRIPTIONS_SEND_CHUNK = 2
    settings.SUBSCRIPTIONS_SEND_CONCURRENCY = 4
    settings.SUBSCRIPTIONS_SEND_PIPELINE = 1
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
    """(what, delivery ids, start, end, thread name) of each message's call and each chunk's record."""
    log: list[tuple[str, frozenset[int], float, float, str]] = []
    real_send_one, real_mark_sent = sending.EachSender.send_one, claiming.mark_sent

    def send_one(self, row):
        started = time.monotonic()
        try:
            return real_send_one(self, row)
        finally:
            log.append(("call", frozenset([row.id]), started, time.monotonic(), threading.current_thread().name))

    def mark_sent(sent, **kwargs):
        started = time.monotonic()
        try:
            return real_mark_sent(sent, **kwargs)
        finally:
            log.append(("record", frozenset(sent), started, time.monotonic(), threading.current_thread().name))

    monkeypatch.setattr(sending.EachSender, "send_one", send_one)
    monkeypatch.setattr(claiming, "mark_sent", mark_sent)
    return log


def chunks_of(edition: Edition) -> list[frozenset[int]]:
    ids = list(Delivery.objects.filter(edition=edition).order_by("pk").values_list("pk", flat=True))
    return [frozenset(ids[i : i + 2]) for i in range(0, len(ids), 2)]


def sent_once(esp_server, count: int) -> None:
    received = sorted(m["to"] for m in esp_server.messages())
    assert received == sorted(f"reader{i}@example.com" for i in range(count))
    assert Delivery.objects.filter(status=Delivery.Status.SENT).exclude(esp_message_id="").count() == count
    ids = [m["headers"]["Message-ID"] for m in esp_server.messages()]
    assert len(set(ids)) == count  # each their own Message-ID
    unsubscribe = [m["headers"]["List-Unsubscribe"] for m in esp_server.messages()]
    assert len(set(unsubscribe)) == count  # and their own List-Unsubscribe


@pytest.mark.django_db
def test_the_next_chunk_goes_to_the_pool_while_the_last_one_finishes_and_is_recorded(slow_postmark, topics, events):
    edition = planned(topics, 6)
    first, second, third = chunks_of(edition)

    result = mailing.send_batch(edition_id=edition.pk)

    assert (result.sent, result.failed, result.released) == (6, 0, 0)
    sent_once(slow_postmark, 6)
    calls = {next(iter(ids)): (start, end) for what, ids, start, end, _ in events if what == "call"}
    records = [(ids, start, end, thread) for what, ids, start, end, thread in events if what == "record"]
    assert [ids for ids, *_ in records] == [first, second, third]  # recorded in order, one chunk each
    assert {thread for *_, thread in records} == {threading.current_thread().name}  # in the task's thread
    assert min(calls[pk][0] for pk in second) < max(calls[pk][1] for pk in first)  # overlapped: 4 threads, 2 + 2
    assert records[0][1] < min(calls[pk][0] for pk in third)  # chunk 1 recorded before chunk 3 went: at most
    assert records[1][1] < max(calls[pk][1] for pk in third)  # SEND_PIPELINE + 1 chunks unrecorded at a time


@pytest.mark.django_db
def test_pipeline_0_sends_and_records_one_chunk_at_a_time(settings, slow_postmark, topics, events):
    settings.SUBSCRIPTIONS_SEND_PIPELINE = 0
    slow_postmark.latency = 0.05
    edition = planned(topics, 4)
    first, second = chunks_of(edition)

    assert mailing.send_batch(edition_id=edition.pk).sent == 4

    sent_once(slow_postmark, 4)
    calls = {next(iter(ids)): (start, end) for what, ids, start, end, _ in events if what == "call"}
    record_first = next(start for what, ids, start, *_ in events if what == "record" and ids == first)
    assert max(calls[pk][1] for pk in first) <= record_first <= min(calls[pk][0] for pk in second)


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["pause", "cancel"])
def test_the_chunks_in_flight_when_staff_stop_the_edition_are_recorded_and_nothing_after_them_goes(
    slow_postmark, topics, monkeypatch, action
):
    edition = planned(topics, 8)
    first, second, *_ = chunks_of(edition)
    real_prepare = sending.EachSender.prepare
    builds = []

    def prepare(self, chunk):  # (in the task's thread, before its chunk goes)
        builds.append(chunk[0].id)
        if len(builds) == 3:  # chunks 1 and 2 are with the pool right now
            getattr(mailing, f"{action}_edition")(edition_id=edition.pk)
        return real_prepare(self, chunk)

    monkeypatch.setattr(sending.EachSender, "prepare", prepare)

    result = mailing.send_batch(edition_id=edition.pk)

    assert result.sent == 4
    assert len(slow_postmark.messages()) == 4
    went = Delivery.objects.filter(pk__in=first | second)
    assert set(went.values_list("status", flat=True)) == {"sent"}
    assert all(went.values_list("esp_message_id", flat=True))  # their answers were recorded
    rest = Delivery.objects.exclude(pk__in=first | second)
    if action == "pause":
        assert set(rest.values_list("status", "lease_until", "attempts")) == {("queued", None, 0)}  # handed back
    else:
        assert set(rest.values_list("status", flat=True)) == {"skipped"}


@pytest.mark.django_db
def test_a_crash_while_recording_resends_only_the_chunks_in_flight_with_the_same_message_ids(
    slow_postmark, topics, monkeypatch
):
    slow_postmark.latency = 0.05
    edition = planned(topics, 8)
    chunks = chunks_of(edition)
    real_mark_sent = claiming.mark_sent
    recorded = []

    def mark_sent(sent, **kwargs):
        if recorded:  # the worker dies while recording chunk 2 (chunk 3 is already with the pool)
            raise SystemExit("killed")
        recorded.append(frozenset(sent))
        return real_mark_sent(sent, **kwargs)

    monkeypatch.setattr(claiming, "mark_sent", mark_sent)
    with pytest.raises(SystemExit):
        mailing.send_batch(edition_id=edition.pk)
    monkeypatch.setattr(claiming, "mark_sent", real_mark_sent)

    assert recorded == [chunks[0]]
    handed = Counter(m["to"] for m in slow_postmark.messages())
    assert len(handed) == 6  # chunks 1-3 went (SEND_PIPELINE + 1 in flight), chunk 4 did not
    Delivery.objects.filter(edition=edition).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    assert mailing.send_batch(edition_id=edition.pk).sent == 6  # the lease ran out: chunks 2-4 go again

    messages = slow_postmark.messages()
    by_address: dict[str, set[str]] = {}
    for message in messages:
        by_address.setdefault(message["to"], set()).add(message["headers"]["Message-ID"])
    assert sorted(by_address) == sorted(f"reader{i}@example.com" for i in range(8))  # nobody missing
    assert all(len(ids) == 1 for ids in by_address.values())  # a resend carries the same Message-ID
    assert len(messages) == 8 + 4  # the two unrecorded chunks (2 and 3) were resent, nothing else
    assert Delivery.objects.filter(edition=edition, status=Delivery.Status.SENT).count() == 8
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT


@pytest.mark.django_db
def test_a_refused_address_fails_alone_and_a_storm_is_retried_in_the_pipeline(settings, slow_postmark, topics):
    settings.SUBSCRIPTIONS_SEND_RETRY_BACKOFF = 0.01
    slow_postmark.latency = 0.01
    edition = planned(topics, 6)
    slow_postmark.reject("reader3@example.com")
    slow_postmark.fail_next(3, status=429, retry_after=0)

    result = mailing.send_batch(edition_id=edition.pk)

    assert (result.sent, result.failed, result.released) == (5, 1, 0)
    assert sorted(m["to"] for m in slow_postmark.messages()) == sorted(
        f"reader{i}@example.com" for i in range(6) if i != 3
    )
    refused = Delivery.objects.get(subscriber__email="reader3@example.com")
    assert refused.status == Delivery.Status.FAILED


API_URL = "https://api.postmarkapp.com/"


def per_call(session: requests.Session, url: str) -> dict:
    """What requests itself would use for one call to `url` with this session (the environment read as it does)."""
    fresh = requests.Session()
    fresh.headers, fresh.auth = session.headers, None
    resolved = fresh.merge_environment_settings(url, {}, None, None, None)
    return {"proxies": resolved["proxies"], "verify": resolved["verify"], "auth": requests.utils.get_netrc_auth(url)}


@pytest.mark.parametrize(
    "environment",
    [
        {},
        {"HTTPS_PROXY": "http://proxy.example:3128", "REQUESTS_CA_BUNDLE": "/etc/ssl/bundle.pem"},
        {"HTTPS_PROXY": "http://proxy.example:3128", "NO_PROXY": "api.postmarkapp.com"},
        {"NETRC": "{netrc}"},
    ],
)
def test_a_sending_threads_connection_reads_the_environment_once_with_the_same_answers(
    settings, monkeypatch, tmp_path, environment
):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine api.postmarkapp.com login someone password secret\n")
    netrc.chmod(0o600)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NETRC"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value.format(netrc=netrc))
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "t", "POSTMARK_API_URL": API_URL}
    connection = get_connection()
    connection.open()
    expected = per_call(connection.session, f"{API_URL}email")

    inflight.settle_environment(connection)

    session = connection.session
    assert session.trust_env is False  # no more reading per call
    resolved = session.merge_environment_settings(f"{API_URL}email", {}, None, None, None)
    assert {"proxies": resolved["proxies"], "verify": resolved["verify"], "auth": session.auth} == expected
    inflight.reopen(connection)  # a retry's fresh session is settled the same way
    assert connection.session is not session
    assert connection.session.trust_env is False
    assert connection.session.proxies == session.proxies


@pytest.mark.django_db
@pytest.mark.parametrize("record", [True, False])
def test_the_stand_in_answers_and_counts_ses_calls_the_same_whether_it_records_them_or_not(
    settings, esp_server, topics, record
):
    """Unrecorded (the benchmark), the stand-in no longer parses SES's raw MIME message: same answers, same counts."""
    configured = esp_server.anymail_settings("ses")
    settings.EMAIL_BACKEND = configured["EMAIL_BACKEND"]
    settings.ANYMAIL = configured["ANYMAIL"]
    settings.SUBSCRIPTIONS_SEND_CONCURRENCY = 4
    esp_server.record = record
    try:
        edition = planned(topics, 5)
        esp_server.reject("reader2@example.com")

        result = mailing.send_batch(edition_id=edition.pk)
    finally:
        esp_server.record = True

    assert (result.sent, result.failed) == (4, 1)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).exclude(esp_message_id="").count() == 4
    stats = esp_server.stats()
    assert (stats["requests"], stats["accepted_requests"], stats["messages"], stats["by_esp"]) == (5, 4, 4, {"ses": 4})
    assert len(esp_server.messages()) == (4 if record else 0)
