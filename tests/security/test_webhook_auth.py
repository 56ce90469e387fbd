"""Issue 12, item 3: the ESP tracking webhooks accepted unsigned events.

Attack: `POST /anymail/postmark/tracking/ {"RecordType":"Bounce","Email":"grace@example.com","Type":"HardBounce"}`
(and the same through Brevo's route) with no credentials. It answered 200, suppressed the address for good and wrote a
ConsentEvent: the person could never opt back in. Now the routes answer 404 unless a webhook secret is configured and
the ESP is the configured one, and then anymail refuses any call without the secret's basic auth.
"""

import base64
import json

import pytest
from django.core import checks
from django.test import Client

from privacy.models import ConsentEvent
from subscriptions.models import Subscriber, Suppression
from tests.factories import SubscriberFactory, SubscriptionFactory

SECRET = "webhook-user:Zq8XvT2mN7pL4kR9sW3yB6cD"
POSTMARK = "/anymail/postmark/tracking/"
POSTMARK_BOUNCE = {"RecordType": "Bounce", "Email": "grace@example.com", "Type": "HardBounce"}
BREVO = "/anymail/brevo/tracking/"
BREVO_BOUNCE = {"event": "hard_bounce", "email": "grace@example.com", "message-id": "<1@example.com>"}


def basic(credentials: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


@pytest.fixture
def grace(topics):
    grace = SubscriberFactory(email="grace@example.com")
    SubscriptionFactory(subscriber=grace, topic=topics["newsletter"], frequency="twice_weekly")
    return grace


def assert_nothing_changed(grace) -> None:
    assert Subscriber.objects.get(pk=grace.pk).suppressed_at is None
    assert not Suppression.objects.exists()
    assert not ConsentEvent.objects.filter(method="esp_webhook").exists()


def post(url: str, payload: dict, **headers):
    return Client(headers=headers).post(url, json.dumps(payload), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("esp", "url", "payload"), [("POSTMARK", POSTMARK, POSTMARK_BOUNCE), ("BREVO", BREVO, BREVO_BOUNCE)]
)
def test_without_a_webhook_secret_the_routes_are_not_there(grace, settings, esp, url, payload):
    settings.ANYMAIL = {f"{esp}_API_KEY": "key", f"{esp}_SERVER_TOKEN": "token"}  # the ESP is set up, no secret
    assert post(url, payload).status_code == 404
    assert_nothing_changed(grace)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("esp", "url", "payload"), [("POSTMARK", POSTMARK, POSTMARK_BOUNCE), ("BREVO", BREVO, BREVO_BOUNCE)]
)
def test_an_unsigned_or_wrongly_signed_bounce_is_refused(grace, settings, esp, url, payload):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, f"{esp}_API_KEY": "key", f"{esp}_SERVER_TOKEN": "token"}
    assert post(url, payload).status_code == 400
    assert post(url, payload, **basic("webhook-user:guessed-password")).status_code == 400
    assert_nothing_changed(grace)

    genuine = post(url, payload, **basic(SECRET))  # the ESP, with the secret in the webhook URL
    assert genuine.status_code == 200
    assert Subscriber.objects.get(pk=grace.pk).suppressed_reason == "bounce"
    assert ConsentEvent.objects.filter(method="esp_webhook").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["mailgun/tracking/", "mandrill/tracking/", "brevo/tracking/", "postmark/inbound/"])
def test_routes_of_an_esp_that_is_not_configured_answer_404_not_500(grace, settings, route):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "SPARKPOST_API_KEY": "key"}
    settings.EMAIL_BACKEND = "anymail.backends.sparkpost.EmailBackend"
    assert post(f"/anymail/{route}", {"event": "bounce"}, **basic(SECRET)).status_code == 404
    assert_nothing_changed(grace)


@pytest.mark.parametrize("secret", [None, "", "short:pw", "no-colon-but-quite-a-long-random-string"])
def test_the_deploy_check_fails_without_a_proper_webhook_secret(settings, secret):
    settings.ANYMAIL = {} if secret is None else {"WEBHOOK_SECRET": secret}
    errors = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "subscriptions.E011" in {error.id for error in errors}


def test_the_deploy_check_passes_with_a_webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    errors = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "subscriptions.E011" not in {error.id for error in errors}
