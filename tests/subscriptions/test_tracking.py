import hashlib
import hmac
import json
import time

import pytest
from anymail.signals import AnymailTrackingEvent
from django.core import mail
from django.test import Client

from privacy.models import ConsentEvent
from subscriptions import services, tracking
from subscriptions.models import MessageKind, Subscriber, Suppression
from subscriptions.services import send_transactional

SIGNING_KEY = "test-webhook-signing-key"
WEBHOOK = "/anymail/mailgun/tracking/"


def event(kind: str, recipient: str = "reader@example.com", reason: str | None = None) -> AnymailTrackingEvent:
    return AnymailTrackingEvent(event_type=kind, recipient=recipient, reject_reason=reason, esp_event={})


@pytest.mark.django_db
def test_a_hard_bounce_suppresses_the_address_and_writes_the_ledger(subscriber, ledger):
    assert tracking.handle_tracking_event(event("bounced", reason="bounced")) == "suppressed: hard bounce"
    subscriber.refresh_from_db()
    assert subscriber.suppressed_reason == "bounce"
    assert services.suppression_reason("READER@example.com ") == "bounce"
    [entry] = ledger.new()
    assert (entry.method, entry.action, entry.value) == ("esp_webhook", "withdrawn", "bounce")
    # Repeating the webhook changes nothing more.
    tracking.handle_tracking_event(event("bounced", reason="bounced"))
    assert len(ledger.new()) == 1
    assert Suppression.objects.count() == 1


@pytest.mark.django_db
def test_a_complaint_suppresses(subscriber, ledger):
    tracking.handle_tracking_event(event("complained"))
    subscriber.refresh_from_db()
    assert subscriber.suppressed_reason == "complaint"
    assert Suppression.objects.get().reason == "complaint"
    assert [e.method for e in ledger.new()] == ["esp_webhook"]


@pytest.mark.django_db
def test_soft_bounces_suppress_only_after_the_limit(subscriber, settings):
    settings.SUBSCRIPTIONS_SOFT_BOUNCE_LIMIT = 3
    assert tracking.handle_tracking_event(event("deferred")) == "soft bounce counted"
    assert tracking.handle_tracking_event(event("bounced", reason="timed_out")) == "soft bounce counted"
    subscriber.refresh_from_db()
    assert subscriber.suppressed_at is None
    assert tracking.handle_tracking_event(event("deferred")) == "suppressed: repeated soft bounces"
    subscriber.refresh_from_db()
    assert subscriber.suppressed_reason == "soft_bounces"


@pytest.mark.django_db
def test_a_delivery_resets_the_soft_bounce_count(subscriber):
    tracking.handle_tracking_event(event("deferred"))
    tracking.handle_tracking_event(event("delivered"))
    subscriber.refresh_from_db()
    assert subscriber.soft_bounce_count == 0


@pytest.mark.django_db
def test_an_esp_unsubscribe_unsubscribes_from_all_marketing(subscriber, ledger):
    tracking.handle_tracking_event(event("unsubscribed"))
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_all_at is not None
    assert Suppression.objects.get().reason == "esp_unsubscribe"
    assert [(e.method, e.purpose, e.action) for e in ledger.new()] == [("esp_webhook", "marketing:all", "withdrawn")]


@pytest.mark.django_db
def test_the_suppression_list_holds_no_address_in_clear(subscriber):
    tracking.handle_tracking_event(event("complained"))
    row = Suppression.objects.get()
    assert "reader" not in row.email_hash
    assert row.email_hash == services.email_hash("reader@example.com")


@pytest.mark.django_db
def test_transactional_mail_still_reaches_a_suppressed_and_unsubscribed_address(subscriber):
    tracking.handle_tracking_event(event("complained"))
    tracking.handle_tracking_event(event("unsubscribed"))
    send_transactional(
        to="reader@example.com", template="email/accounts/welcome", context={"user": None}, kind=MessageKind.ACCOUNT
    )
    assert [m.to for m in mail.outbox] == [["reader@example.com"]]
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
    assert mail.outbox[0].track_opens is False  # no web beacon in transactional mail


def signed(payload: dict, key: str = SIGNING_KEY) -> str:
    token, timestamp = "a" * 50, str(int(time.time()))
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return json.dumps({"signature": {"token": token, "timestamp": timestamp, "signature": signature}, **payload})


def mailgun_event(kind: str, recipient: str, severity: str = "permanent") -> dict:
    return {
        "event-data": {
            "event": kind,
            "recipient": recipient,
            "severity": severity,
            "timestamp": time.time(),
            "reason": "bounce",
            "message": {"headers": {"message-id": "abc@example.com"}},
        }
    }


@pytest.fixture
def webhook_settings(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": "user:pass"}
    return Client(headers={"Authorization": "Basic dXNlcjpwYXNz"})  # user:pass


@pytest.mark.django_db
def test_the_tracking_webhook_checks_the_signature(subscriber, webhook_settings):
    client = webhook_settings
    forged = client.post(
        WEBHOOK, signed(mailgun_event("failed", "reader@example.com"), key="wrong"), content_type="application/json"
    )
    assert forged.status_code == 400
    no_auth = Client().post(
        WEBHOOK, signed(mailgun_event("failed", "reader@example.com")), content_type="application/json"
    )
    assert no_auth.status_code == 400
    assert Subscriber.objects.get(pk=subscriber.pk).suppressed_at is None

    genuine = client.post(
        WEBHOOK, signed(mailgun_event("failed", "reader@example.com")), content_type="application/json"
    )
    assert genuine.status_code == 200
    assert Subscriber.objects.get(pk=subscriber.pk).suppressed_reason == "bounce"
    assert ConsentEvent.objects.filter(method="esp_webhook").count() == 1


@pytest.mark.django_db
def test_a_temporary_failure_through_the_webhook_is_a_soft_bounce(subscriber, webhook_settings):
    response = webhook_settings.post(
        WEBHOOK,
        signed(mailgun_event("failed", "reader@example.com", severity="temporary")),
        content_type="application/json",
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert (subscriber.soft_bounce_count, subscriber.suppressed_at) == (1, None)
