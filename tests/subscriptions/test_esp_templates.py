"""Postmark and Amazon SES send each chunk as one batch call through a template stored at the ESP (issue 14):
anymail's real backends against the stand-in ESP (benchmarks/esp_server.py), which renders each message from the
stored template with its own data."""

import json
import re
from collections import Counter

import pytest
from django.core.mail import get_connection

from subscriptions import mailing
from subscriptions.mailing import templates
from subscriptions.mailing.esp import capabilities
from subscriptions.mailing.rendering import rendered_for
from subscriptions.mailing.senders import BatchSender
from subscriptions.models import Delivery, Edition
from subscriptions.tokens import Purpose, read_token
from tests.factories import SubscriberFactory, SubscriptionFactory

from .test_mailing import make_edition

BODY = {"body_html": '<p>Hi</p><a href="{{ unsubscribe_url }}">Leave</a>', "body_text": "Hi {{ unsubscribe_url }}"}


@pytest.fixture(params=["postmark", "ses"])
def esp(request, settings, esp_server):
    configured = esp_server.anymail_settings(request.param)
    settings.EMAIL_BACKEND = configured["EMAIL_BACKEND"]
    settings.ANYMAIL = configured["ANYMAIL"]
    settings.SUBSCRIPTIONS_ESP_TEMPLATES = True
    settings.SUBSCRIPTIONS_SEND_RETRY_BACKOFF = 0.01
    settings.SUBSCRIPTIONS_SEND_RETRY_MAX_WAIT = 0.05
    return request.param


def readers(topic, count: int) -> dict:
    people = {}
    for i in range(count):
        subscriber = SubscriberFactory(email=f"reader{i}@example.com")
        SubscriptionFactory(subscriber=subscriber, topic=topic, frequency="twice_weekly")
        people[subscriber.email] = subscriber
    return people


def headers_of(message: dict) -> dict[str, str]:
    return {name.lower(): value for name, value in message["headers"].items()}


@pytest.mark.django_db
def test_the_batch_payload_names_the_template_and_carries_each_recipients_own_links_and_headers(esp, topics):
    newsletter = topics["newsletter"]
    people = readers(newsletter, 3)
    edition = make_edition(newsletter, **BODY)
    mailing.plan_edition(edition_id=edition.pk)
    edition.refresh_from_db()
    rows = list(Delivery.objects.select_related("subscriber").order_by("pk"))
    for row in rows:
        row.open_tracking = False

    with get_connection() as mail:
        caps = capabilities(mail)
        assert (caps.batch_size, caps.stored_template) == ((500, True) if esp == "postmark" else (50, True))
        sender = BatchSender(mail, caps, rendered_for(edition))
        [(_, message)] = sender.prepare(rows)
        payload = mail.build_message_payload(message, mail.send_defaults)
        if esp == "postmark":
            assert payload.get_api_endpoint() == "email/batchWithTemplates"
            messages = json.loads(payload.serialize_data())["Messages"]
            entries = {m["To"]: (m["TemplateModel"], {h["Name"]: h["Value"] for h in m["Headers"]}) for m in messages}
            for m in messages:
                assert m["TemplateAlias"] == sender.template
                assert not {"Subject", "TextBody", "HtmlBody"} & set(m)  # they come from the template
                assert m["Tag"] == "commercial"  # Postmark takes one tag
                assert m["InlineCss"] is False  # the HTML as per-message sends deliver it
        else:
            payload.finalize_payload()
            assert payload.api_name == "send_bulk_email"
            assert payload.params["DefaultContent"]["Template"]["TemplateName"] == sender.template
            entries = {
                e["Destination"]["ToAddresses"][0]: (
                    json.loads(e["ReplacementEmailContent"]["ReplacementTemplate"]["ReplacementTemplateData"]),
                    {h["Name"]: h["Value"] for h in e["ReplacementHeaders"]},
                )
                for e in payload.params["BulkEmailEntries"]
            }
    assert re.fullmatch(rf"spc-{edition.pk}-[0-9a-f]{{16}}", sender.template)  # no recipient data in the name
    assert set(entries) == set(people)
    for row in rows:
        data, headers = entries[row.subscriber.email]
        unsubscribe = re.fullmatch(r"<([^>]+)>", headers["List-Unsubscribe"]).group(1)
        assert data["spc_unsubscribe_url"] == unsubscribe
        token = read_token(unsubscribe.rstrip("/").rsplit("/", 1)[1], purpose=Purpose.UNSUBSCRIBE)
        assert token.subscriber == row.subscriber
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert headers["Message-ID"].startswith(f"<delivery-{row.pk}.edition-{edition.pk}@")
        assert "/preferences/" in data["spc_preferences_url"]


@pytest.mark.django_db
def test_every_recipient_gets_one_message_from_the_template_which_is_created_once_and_deleted_when_done(
    esp, esp_server, topics, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SUBSCRIPTIONS_SEND_CHUNK = 2  # three batch calls, one template
    newsletter = topics["newsletter"]
    people = readers(newsletter, 5)
    edition = make_edition(newsletter, **BODY)
    enqueued = []
    monkeypatch.setattr(
        "subscriptions.tasks.delete_edition_templates.apply_async", lambda args, **kw: enqueued.append(args)
    )

    mailing.plan_edition(edition_id=edition.pk)
    with django_capture_on_commit_callbacks(execute=True):
        result = mailing.send_batch(edition_id=edition.pk)

    assert (result.sent, result.failed) == (5, 0), Delivery.objects.values_list("error", flat=True)
    received = esp_server.messages()
    assert Counter(m["to"] for m in received) == Counter(dict.fromkeys(people, 1))
    stats = esp_server.stats()
    assert (stats["accepted_requests"], stats["templates_created"]) == (3, 1)
    [name] = esp_server.templates(esp)
    deliveries = {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}
    for message in received:
        assert message["template"] == name
        headers = headers_of(message)
        header_url = re.fullmatch(r"<([^>]+)>", headers["list-unsubscribe"]).group(1)
        token = read_token(header_url.rstrip("/").rsplit("/", 1)[1], purpose=Purpose.UNSUBSCRIBE)
        assert token.subscriber == people[message["to"]]
        assert header_url in message["text"]
        assert header_url in message["html"]
        assert "{{" not in message["text"] + message["html"] + message["subject"]
        assert message["subject"] == "December picks"
        assert headers["message-id"].startswith(f"<delivery-{deliveries[message['to']].pk}.edition-{edition.pk}@")
        assert message["metadata"]["delivery_id"] == str(deliveries[message["to"]].pk)
        assert deliveries[message["to"]].esp_message_id
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT
    assert enqueued == [(edition.pk,)]  # the deletion, enqueued once the edition is done

    from subscriptions.tasks import delete_edition_templates

    assert delete_edition_templates(edition.pk) == 1
    assert esp_server.templates(esp) == {}
    assert esp_server.stats()["templates_deleted"] == 1


@pytest.mark.django_db
def test_a_second_worker_or_a_retry_reuses_the_same_template(esp, esp_server, topics):
    edition = make_edition(topics["newsletter"], **BODY)
    rendered = rendered_for(edition)
    with get_connection() as mail:
        first = BatchSender(mail, capabilities(mail), rendered).template
        again = BatchSender(mail, capabilities(mail), rendered).template  # "already exists" is success
    assert first == again is not None
    assert esp_server.stats()["templates_created"] == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"subject": "Save {{ now }}"},
        {"body_text": "Hi {% templatetag openvariable %} name {% templatetag closevariable %}"},
        {"body_html": "<p>{% templatetag openvariable %}x</p>"},
    ],
    ids=["subject", "text", "html"],
)
@pytest.mark.django_db
def test_a_rendering_holding_its_own_double_braces_goes_one_call_per_message(esp, esp_server, topics, fields):
    newsletter = topics["newsletter"]
    people = readers(newsletter, 3)
    edition = make_edition(newsletter, **{**BODY, **fields})

    mailing.plan_edition(edition_id=edition.pk)
    result = mailing.send_batch(edition_id=edition.pk)

    assert (result.sent, result.failed) == (3, 0)
    received = esp_server.messages()
    assert Counter(m["to"] for m in received) == Counter(dict.fromkeys(people, 1))
    stats = esp_server.stats()
    assert (stats["accepted_requests"], stats["templates_created"]) == (3, 0)  # per message, nothing stored
    assert all("template" not in m for m in received)
    braces = [m for m in received if "{{" in m["subject"] + m["text"] + m["html"]]
    assert len(braces) == 3  # the staff's braces reach the reader as written


def test_storable_refuses_braces_next_to_our_placeholders():
    fields = ["{{{spc_unsubscribe_url}}}"]
    assert templates.storable("s", "a {{{spc_unsubscribe_url}}} b", "<a>{{{spc_unsubscribe_url}}}</a>", fields)
    assert not templates.storable("s", "a {{{{spc_unsubscribe_url}}} b", "", fields)
    assert not templates.storable("s", "a {{{spc_unsubscribe_url}}}} b", "", fields)
    assert not templates.storable("s", "a \\{{{spc_unsubscribe_url}}} b", "", fields)
    assert not templates.storable("s", "", "}} {{{spc_unsubscribe_url}}}", fields)
    assert not templates.storable("{{s}}", "", "", fields)


@pytest.mark.django_db
def test_a_429_and_5xx_storm_on_the_batch_calls_ends_with_each_recipient_served_once(
    esp, esp_server, topics, settings, monkeypatch
):
    settings.SUBSCRIPTIONS_SEND_CHUNK = 2
    newsletter = topics["newsletter"]
    people = readers(newsletter, 6)
    edition = make_edition(newsletter, **BODY)
    real = templates.ensure

    def ensure_then_storm(*args, **kwargs):  # the storm hits the batch calls, not the template's creation
        name = real(*args, **kwargs)
        esp_server.fail_next(2, status=429, retry_after=0)
        esp_server.fail_next(1, status=503)
        return name

    monkeypatch.setattr(templates, "ensure", ensure_then_storm)
    mailing.plan_edition(edition_id=edition.pk)
    result = mailing.send_batch(edition_id=edition.pk)

    assert (result.sent, result.failed, result.released) == (6, 0, 0)
    assert esp_server.stats()["faults"] == 3
    received = esp_server.messages()
    assert Counter(m["to"] for m in received) == Counter(dict.fromkeys(people, 1))
    assert all(m.get("template") for m in received)


@pytest.mark.django_db
def test_an_address_the_esp_refuses_fails_alone_in_a_templated_batch(esp, esp_server, topics):
    newsletter = topics["newsletter"]
    for email in ["ok1@example.com", "gone@example.com", "ok2@example.com"]:
        SubscriptionFactory(subscriber=SubscriberFactory(email=email), topic=newsletter, frequency="twice_weekly")
    esp_server.reject("gone@example.com")
    edition = make_edition(newsletter, **BODY)

    mailing.plan_edition(edition_id=edition.pk)
    result = mailing.send_batch(edition_id=edition.pk)

    assert (result.sent, result.failed, result.released) == (2, 1, 0)
    status = dict(Delivery.objects.values_list("subscriber__email", "status"))
    assert status == {"ok1@example.com": "sent", "gone@example.com": "failed", "ok2@example.com": "sent"}
    received = esp_server.messages()
    assert sorted(m["to"] for m in received) == ["ok1@example.com", "ok2@example.com"]
    assert all(m.get("template") for m in received)
    assert esp_server.stats()["accepted_requests"] == 1


@pytest.mark.django_db
def test_cancelling_an_edition_enqueues_the_deletion_of_its_templates(
    esp, topics, monkeypatch, django_capture_on_commit_callbacks
):
    from subscriptions.app_settings import app_settings

    enqueued = []
    monkeypatch.setattr(
        "subscriptions.tasks.delete_edition_templates.apply_async",
        lambda args, **kw: enqueued.append((args, kw.get("countdown"))),
    )
    edition = make_edition(topics["newsletter"])
    with django_capture_on_commit_callbacks(execute=True):
        mailing.cancel_edition(edition_id=edition.pk)
    assert enqueued == [((edition.pk,), app_settings.SEND_LEASE_SECONDS)]  # after the calls in flight


@pytest.mark.django_db
def test_an_esp_that_stores_no_template_enqueues_no_deletion(
    settings, esp_server, topics, monkeypatch, django_capture_on_commit_callbacks
):
    configured = esp_server.anymail_settings("mailgun")
    settings.EMAIL_BACKEND, settings.ANYMAIL = configured["EMAIL_BACKEND"], configured["ANYMAIL"]
    enqueued = []
    monkeypatch.setattr("subscriptions.tasks.delete_edition_templates.apply_async", lambda *a, **kw: enqueued.append(a))
    edition = make_edition(topics["newsletter"])
    with django_capture_on_commit_callbacks(execute=True):
        mailing.cancel_edition(edition_id=edition.pk)
    assert enqueued == []


@pytest.mark.django_db
def test_a_chunk_larger_than_the_esps_limit_per_call_goes_as_several_calls_at_once_and_is_recorded_once(
    esp, esp_server, topics, settings, monkeypatch
):
    """SES takes 50 destinations a call: a chunk of SEND_CHUNK is cut into calls of 50 that run side by side, and
    the chunk is recorded with one statement, as for any batch ESP (not one record and pause check per 50)."""
    import dataclasses
    import threading

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from subscriptions.mailing import sending

    settings.SUBSCRIPTIONS_SEND_CHUNK = 7
    settings.SUBSCRIPTIONS_SEND_PIPELINE = 0
    real = sending.capabilities
    monkeypatch.setattr(sending, "capabilities", lambda mail: dataclasses.replace(real(mail), batch_size=2))
    callers = set()
    send = BatchSender._call
    monkeypatch.setattr(
        BatchSender, "_call", lambda self, *a: callers.add(threading.current_thread().name) or send(self, *a)
    )
    newsletter = topics["newsletter"]
    people = readers(newsletter, 7)
    edition = make_edition(newsletter, **BODY)
    mailing.plan_edition(edition_id=edition.pk)

    with CaptureQueriesContext(connection) as queries:
        result = mailing.send_batch(edition_id=edition.pk)

    assert (result.sent, result.failed) == (7, 0)
    assert Counter(m["to"] for m in esp_server.messages()) == Counter(dict.fromkeys(people, 1))
    assert esp_server.stats()["accepted_requests"] == 4  # 2 + 2 + 2 + 1
    assert all(name.startswith("calls") for name in callers)  # off the task's thread
    assert len(callers) > 1  # side by side
    marked = [
        q
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE subscriptions_delivery") and "'sent'" in q["sql"]
    ]
    assert len(marked) == 1, [q["sql"][:80] for q in marked]  # one chunk: recorded once
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
