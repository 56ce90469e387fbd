"""Mailings through a real Celery worker and anymail's real ESP backends against the stand-in ESP server
(benchmarks/esp_server.py, in this process): exactly one message per eligible recipient with their own unsubscribe
header and links, a 429 storm, an outage, a worker killed mid-batch; and the SMTP path against a real aiosmtpd."""

from __future__ import annotations

import datetime
import json
import os
import re
import signal
import socket
import time
from collections import Counter

import pytest
from django.utils import timezone

from subscriptions import mailing
from subscriptions.models import Delivery, Edition, Subscriber, Subscription
from subscriptions.schedule import shop_zone
from subscriptions.tokens import Purpose, read_token
from tests.factories import SubscriberFactory, SubscriptionFactory, launch_topics

from .conftest import wait_for

FIRST_TUESDAY = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=shop_zone())
# The issue asks for a 30 s outage; set SPC_TEST_ESP_OUTAGE_SECONDS lower for a quicker local run.
OUTAGE_SECONDS = float(os.environ.get("SPC_TEST_ESP_OUTAGE_SECONDS", "30"))


def use_esp(worker, server, esp: str, **settings: str) -> None:
    configured = server.anymail_settings(esp)
    worker.env["EMAIL_BACKEND"] = configured["EMAIL_BACKEND"]
    for key, value in configured["ANYMAIL"].items():
        worker.env[f"ANYMAIL_{key}"] = value if isinstance(value, str) else json.dumps(value)
    worker.env.update(
        {
            "ANYMAIL_REQUESTS_TIMEOUT": "3",
            "SUBSCRIPTIONS_SEND_RETRY_BACKOFF": "0.2",
            "SUBSCRIPTIONS_SEND_RETRY_MAX_WAIT": "3",
            **settings,
        }
    )


def readers(count: int, topic) -> list[Subscriber]:
    subscribers = Subscriber.objects.bulk_create(
        [Subscriber(email=f"reader{i:05d}@example.com", confirmed_at=timezone.now()) for i in range(count)]
    )
    Subscription.objects.bulk_create(
        [Subscription(subscriber=s, topic=topic, frequency="twice_weekly", state="active") for s in subscribers]
    )
    return subscribers


def edition_for(topic) -> Edition:
    return Edition.objects.create(
        topic=topic,
        subject="December picks",
        body_text="Hello {{ topic.name }}. Leave: {{ unsubscribe_url }}",
        body_html='<p>Hello {{ topic.name }}</p><a href="{{ unsubscribe_url }}">Leave</a>',
        status=Edition.Status.SCHEDULED,
        slot_at=FIRST_TUESDAY,
    )


def sent(edition_id: int) -> bool:
    return Edition.objects.get(pk=edition_id).status == Edition.Status.SENT


def per_recipient(messages: list[dict]) -> Counter:
    """Distinct messages per recipient (a resend of the same Message-ID is the same message to a mailbox)."""
    distinct = {(m["to"], {k.lower(): v for k, v in m["headers"].items()}["message-id"]): m for m in messages}
    return Counter(to for to, _ in distinct)


@pytest.mark.django_db(transaction=True)
def test_a_batch_send_gives_every_eligible_recipient_exactly_one_message_with_their_own_links(
    worker_factory, esp_server
):
    topics = launch_topics()
    newsletter = topics["newsletter"]
    subscribers = readers(45, newsletter)
    SubscriptionFactory(subscriber=SubscriberFactory(email="left@example.com"), topic=newsletter, state="unsubscribed")
    use_esp(worker_factory, esp_server, "sendgrid", SUBSCRIPTIONS_SEND_BATCH_SIZE="20", SUBSCRIPTIONS_SEND_CHUNK="10")
    edition = edition_for(newsletter)
    worker_factory.start()
    mailing.plan_edition(edition_id=edition.pk)

    wait_for(lambda: sent(edition.pk), timeout=90)
    messages = esp_server.messages()
    assert Counter(m["to"] for m in messages) == Counter({s.email: 1 for s in subscribers})
    assert esp_server.stats()["accepted_requests"] == 5  # 45 recipients in chunks of 10: five API calls
    by_email = {s.email: s for s in subscribers}
    for message in messages:
        headers = {k.lower(): v for k, v in message["headers"].items()}
        url = re.fullmatch(r"<([^>]+)>", headers["list-unsubscribe"]).group(1)
        token = re.search(r"/unsubscribe/([^/]+)/", url).group(1)
        assert read_token(token, purpose=Purpose.UNSUBSCRIBE).subscriber == by_email[message["to"]]
        assert url in message["text"]
        assert url in message["html"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert "" not in set(Delivery.objects.values_list("esp_message_id", flat=True))


@pytest.mark.django_db(transaction=True)
# a batch API, one call per message, and batches through a template stored at the ESP (Postmark, SES)
@pytest.mark.parametrize("esp", ["mailgun", "postmark-each", "postmark", "ses"])
def test_a_429_and_5xx_storm_ends_with_every_message_delivered_once(worker_factory, esp_server, esp):
    newsletter = launch_topics()["newsletter"]
    subscribers = readers(30, newsletter)
    templates = "False" if esp.endswith("-each") else "True"
    use_esp(
        worker_factory,
        esp_server,
        esp.removesuffix("-each"),
        SUBSCRIPTIONS_SEND_BATCH_SIZE="10",
        SUBSCRIPTIONS_SEND_CONCURRENCY="4",
        SUBSCRIPTIONS_ESP_TEMPLATES=templates,
    )
    esp_server.fail_next(12, status=429, retry_after=0.3)
    esp_server.fail_next(6, status=503)
    edition = edition_for(newsletter)
    worker_factory.start()
    mailing.plan_edition(edition_id=edition.pk)

    wait_for(lambda: sent(edition.pk), timeout=120)
    assert esp_server.stats()["faults"] == 18
    assert Counter(m["to"] for m in esp_server.messages()) == Counter({s.email: 1 for s in subscribers})
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_an_esp_outage_ends_with_every_message_delivered_once_and_none_lost(worker_factory, esp_server):
    newsletter = launch_topics()["newsletter"]
    subscribers = readers(40, newsletter)
    use_esp(
        worker_factory,
        esp_server,
        "brevo",
        SUBSCRIPTIONS_SEND_BATCH_SIZE="10",
        SUBSCRIPTIONS_SEND_RETRIES="3",
        SUBSCRIPTIONS_SEND_MAX_ATTEMPTS="30",
    )
    edition = edition_for(newsletter)
    esp_server.outage(OUTAGE_SECONDS)
    started = time.monotonic()
    worker_factory.start()
    mailing.plan_edition(edition_id=edition.pk)

    wait_for(lambda: sent(edition.pk), timeout=OUTAGE_SECONDS + 90)
    assert time.monotonic() - started >= OUTAGE_SECONDS * 0.9  # nothing got through during the outage
    assert esp_server.stats()["faults"] > 0
    assert Counter(m["to"] for m in esp_server.messages()) == Counter({s.email: 1 for s in subscribers})
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_no_recipient_missing(worker_factory, esp_server, capsys):
    newsletter = launch_topics()["newsletter"]
    count = 1500
    subscribers = readers(count, newsletter)
    esp_server.latency = 0.05
    use_esp(
        worker_factory,
        esp_server,
        "sendgrid",
        SUBSCRIPTIONS_SEND_BATCH_SIZE="300",
        SUBSCRIPTIONS_SEND_CHUNK="50",
        SUBSCRIPTIONS_SEND_LEASE_SECONDS="3",
    )
    edition = edition_for(newsletter)
    worker_factory.start()
    mailing.plan_edition(edition_id=edition.pk)

    wait_for(lambda: esp_server.stats()["messages"] >= 300, timeout=90, interval=0.01)
    worker_factory.kill(signal.SIGKILL)  # mid-edition, most likely with a chunk at the ESP
    at_kill = esp_server.stats()["messages"]
    assert at_kill < count

    worker_factory.start()
    time.sleep(3.5)  # the dead worker's lease runs out
    from subscriptions.tasks import resume_stalled_editions

    resume_stalled_editions.delay()
    wait_for(lambda: sent(edition.pk), timeout=180)

    messages = esp_server.messages()
    distinct = per_recipient(messages)
    with capsys.disabled():
        print(f"\n  killed after {at_kill} messages; resends of an identical Message-ID: {len(messages) - count}")
    assert set(distinct) == {s.email for s in subscribers}  # nobody missing
    assert set(distinct.values()) == {1}  # one distinct message each
    assert len(messages) - count <= 50  # a resend happens only inside the one chunk in flight


@pytest.mark.django_db(transaction=True)
def test_the_smtp_path_sends_each_batch_over_its_connections_to_a_real_smtp_server(worker_factory):
    """Django's SMTP backend to a real aiosmtpd: spliced messages (smtp.py) on SMTP_CONNECTIONS connections per
    batch; every recipient exactly once, with their own List-Unsubscribe, links and Message-ID."""
    import email
    from email import policy

    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self) -> None:
            self.messages, self.connections = [], 0

        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            self.connections += 1
            session.host_name = hostname
            return responses

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos[0], envelope.content))
            return "250 OK"

    handler = Collect()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        newsletter = launch_topics()["newsletter"]
        subscribers = readers(60, newsletter)
        worker_factory.env.update(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(controller.port),
            SUBSCRIPTIONS_SEND_BATCH_SIZE="20",
            SUBSCRIPTIONS_SEND_CHUNK="10",
            SUBSCRIPTIONS_SMTP_CONNECTIONS="3",
        )
        edition = edition_for(newsletter)
        worker_factory.start()
        mailing.plan_edition(edition_id=edition.pk)
        wait_for(lambda: sent(edition.pk), timeout=90)
    finally:
        controller.stop()

    assert Counter(to for to, _ in handler.messages) == Counter({s.email: 1 for s in subscribers})
    assert handler.connections == 3 * 3  # three batches of 20, three connections each
    by_email = {s.email: s for s in subscribers}
    deliveries = {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}
    for to, content in handler.messages:
        message = email.message_from_bytes(content, policy=policy.default)
        assert message["To"] == to
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Message-ID"].startswith(f"<delivery-{deliveries[to].pk}.edition-{edition.pk}@")
        url = re.fullmatch(r"<([^>]+)>", message["List-Unsubscribe"].strip()).group(1)
        token = re.search(r"/unsubscribe/([^/>]+)/", url).group(1)
        assert read_token(token, purpose=Purpose.UNSUBSCRIBE).subscriber == by_email[to]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert url in text
        assert url in html
        preferences = re.search(r"https?://[^\s\"<>]+/preferences/([^/\s\"<>]+)/", html).group(1)
        assert read_token(preferences, purpose=Purpose.PREFERENCES).subscriber == by_email[to]
        assert "spc" not in text + html  # no mark left
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
