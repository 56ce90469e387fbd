"""/healthz, /readyz and /metrics against the real database, Redis broker and cache."""

import json
import logging
import socket

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from config import health
from config.cache import FallbackRedisCache
from config.celery import app
from privacy.log_redaction import RedactingJsonFormatter
from subscriptions.models import Subscription
from subscriptions.tokens import Purpose, make_token
from tests.factories import SubscriberFactory, SubscriptionFactory, launch_topics

TOKEN = "metrics-token-for-tests-0123456789"
ESP = {
    "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
    "ANYMAIL": {"POSTMARK_SERVER_TOKEN": "server-token", "WEBHOOK_SECRET": "user:pass"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def with_broker(redis_url):
    """Unit tests run tasks eagerly; the readiness check must see the real broker, as a web process does."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


@pytest.fixture
def production_esp(settings):
    for name, value in ESP.items():
        setattr(settings, name, value)


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_when_database_broker_cache_and_esp_answer(client, with_broker, production_esp):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "cache": True,
        "broker": True,
        "esp": True,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("backend", "anymail"),
    [
        ("demo.mailbox.FileMailboxBackend", {}),  # the demo's file sink is no ESP
        ("anymail.backends.postmark.EmailBackend", {}),  # a real ESP without its credentials
    ],
)
def test_readyz_reports_an_esp_that_is_not_configured(client, with_broker, settings, backend, anymail):
    settings.EMAIL_BACKEND, settings.ANYMAIL = backend, anymail
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["esp"]["ok"] is False
    assert [checks[name]["ok"] for name in ["database", "broker", "cache"]] == [True, True, True]


@pytest.mark.django_db
def test_readyz_answers_503_when_the_broker_is_unreachable(client, with_broker, production_esp):
    previous = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_readyz_answers_503_when_the_database_is_unreachable(client, with_broker, production_esp):
    connection.close()
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = free_port()  # the next connection attempt finds nobody
    try:
        response = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert response.json()["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_readyz_answers_503_when_redis_the_cache_is_unreachable(client, with_broker, production_esp, monkeypatch):
    unreachable = FallbackRedisCache(f"redis://127.0.0.1:{free_port()}/0", {})
    monkeypatch.setattr(health, "cache", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer "])
def test_metrics_are_not_public(client, settings, header):
    settings.METRICS_TOKEN = TOKEN
    headers = {"Authorization": header} if header else {}
    assert client.get("/metrics", headers=headers).status_code == 404


@pytest.mark.django_db
def test_metrics_are_off_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.django_db
def test_metrics_show_deliveries_queue_latency_and_no_email_or_token(settings, with_broker):
    settings.METRICS_TOKEN = TOKEN
    topics = launch_topics()
    subscriber = SubscriberFactory(email="metrics-reader@example.com")
    SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"])
    token = make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])
    client = Client()
    one_click = client.post(reverse("subscriptions:unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    assert Subscription.objects.get(subscriber=subscriber).state == "unsubscribed"
    client.post(reverse("subscriptions:subscribe"), {"email": "metrics-signup@example.com"})
    client.get(reverse("subscriptions:preferences_token", args=[token]))

    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    body = response.content.decode()
    for metric in [
        'spc_deliveries{status="queued"}',
        'spc_deliveries{status="sent"}',
        f'spc_queue_depth{{queue="{app.conf.task_default_queue}"}}',
        "spc_outbox_unpublished",
        "spc_order_emails_unsent",
        'django_http_requests_latency_seconds_by_view_method_count{method="POST",view="subscriptions:unsubscribe"}',
    ]:
        assert metric in body, metric
    assert "@" not in body  # no email address, whoever it belongs to
    assert token not in body
    assert "/unsubscribe/" not in body  # views are labelled by name, never by path


@pytest.mark.django_db
def test_the_json_log_format_is_one_redacted_object_per_line():
    topics = launch_topics()
    subscriber = SubscriberFactory(email="logged@example.com")
    token = make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])
    path = reverse("subscriptions:unsubscribe", args=[token])
    record = logging.LogRecord(
        "shop", logging.WARNING, __file__, 1, 'Bounce for %s after "POST %s"', ("ada@example.com", path), None
    )
    line = RedactingJsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "shop"
    assert "<email>" in entry["message"]
    assert "ada@example.com" not in line
    assert token not in line
    assert "/unsubscribe/" in entry["message"]
    assert "\n" not in line


def metric_value(body: str, line_start: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines() if line.startswith(line_start))


@pytest.mark.django_db
def test_metrics_count_webhook_events_and_the_esp_answers_without_the_address(settings):
    from accounts.emails import send_welcome
    from tests.factories import UserFactory
    from tests.subscriptions.test_tracking import SIGNING_KEY, WEBHOOK, mailgun_event, signed

    settings.METRICS_TOKEN = TOKEN
    auth = {"Authorization": f"Bearer {TOKEN}"}
    SubscriberFactory(email="bounced-reader@example.com")
    webhook_line = 'spc_webhook_events_total{esp="Mailgun",event="bounced"}'
    sent_line = 'spc_esp_recipients_total{esp="Test",status="sent"}'
    before = Client().get("/metrics", headers=auth).content.decode()

    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": "user:pass"}
    webhook = Client(headers={"Authorization": "Basic dXNlcjpwYXNz"}).post(
        WEBHOOK, signed(mailgun_event("failed", "bounced-reader@example.com")), content_type="application/json"
    )
    assert webhook.status_code == 200
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    send_welcome(UserFactory(email="welcome-reader@example.com"))  # through anymail's test backend

    after = Client().get("/metrics", headers=auth).content.decode()
    assert metric_value(after, webhook_line) == metric_value(before, webhook_line) + 1
    assert metric_value(after, sent_line) == metric_value(before, sent_line) + 1
    assert "@" not in after


def test_the_load_tests_bare_baseline_view_is_not_a_production_url(client):
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve("/load-baseline/1/")  # config.urls: only benchmarks/load_urls.py adds it
    assert client.post("/load-baseline/1/").status_code == 404
