"""Every supported ESP, through anymail's real backend against the stand-in ESP server: marketing batches and
transactional mail build without an unsupported-feature error, and each recipient gets their own unsubscribe
header and links (issue 14)."""

import re

import pytest

from subscriptions import mailing
from subscriptions.models import Delivery, MessageKind
from subscriptions.services import send_transactional
from subscriptions.tokens import Purpose, read_token
from tests.factories import SubscriberFactory, SubscriptionFactory

from .test_mailing import make_edition

# "-each": Postmark and SES with SUBSCRIPTIONS_ESP_TEMPLATES off (one call per message, no stored template).
ESPS = ["sendgrid", "mailgun", "postmark", "brevo", "ses", "postmark-each", "ses-each"]
BATCH_ESPS = {"sendgrid", "mailgun", "brevo", "postmark", "ses"}


@pytest.fixture(params=ESPS)
def esp(request, settings, esp_server):
    configured = esp_server.anymail_settings(request.param.removesuffix("-each"))
    settings.EMAIL_BACKEND = configured["EMAIL_BACKEND"]
    settings.ANYMAIL = configured["ANYMAIL"]
    settings.SUBSCRIPTIONS_ESP_TEMPLATES = not request.param.endswith("-each")
    return request.param


def headers_of(message: dict) -> dict[str, str]:
    return {name.lower(): value for name, value in message["headers"].items()}


def token_in(url: str, kind: str) -> str:
    match = re.search(rf"/{kind}/([^/\s\"<>]+)/", url)
    assert match, url
    return match.group(1)


@pytest.mark.django_db
def test_a_marketing_edition_reaches_each_recipient_once_with_their_own_unsubscribe_header_and_links(
    esp, esp_server, topics
):
    newsletter = topics["newsletter"]
    readers = {}
    for i in range(3):
        subscriber = SubscriberFactory(email=f"reader{i}@example.com")
        SubscriptionFactory(subscriber=subscriber, topic=newsletter, frequency="twice_weekly")
        readers[subscriber.email] = subscriber
    edition = make_edition(
        newsletter, body_html='<p>Hi</p><a href="{{ unsubscribe_url }}">Leave</a>', body_text="Hi {{ unsubscribe_url }}"
    )

    mailing.plan_edition(edition_id=edition.pk)
    result = mailing.send_batch(edition_id=edition.pk)

    assert (result.sent, result.failed) == (3, 0), Delivery.objects.values_list("error", flat=True)
    received = esp_server.messages()
    assert sorted(m["to"] for m in received) == sorted(readers)
    assert esp_server.stats()["accepted_requests"] == (1 if esp in BATCH_ESPS else 3)
    deliveries = {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}
    for message in received:
        subscriber, headers = readers[message["to"]], headers_of(message)
        assert headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click"
        header_url = re.fullmatch(r"<([^>]+)>", headers["list-unsubscribe"]).group(1)
        token = read_token(token_in(header_url, "unsubscribe"), purpose=Purpose.UNSUBSCRIBE)
        assert (token.subscriber, token.topic) == (subscriber, newsletter)
        assert header_url in message["text"]
        assert header_url in message["html"]
        preferences = re.search(r"https?://[^\s\"<>]+/preferences/[^/\s\"<>]+/", message["html"]).group(0)
        assert read_token(token_in(preferences, "preferences"), purpose=Purpose.PREFERENCES).subscriber == subscriber
        assert "spc_" not in message["text"] + message["html"]  # no merge field left unfilled
        delivery = deliveries[message["to"]]
        assert headers["message-id"] == f"<delivery-{delivery.pk}.edition-{edition.pk}@testserver>" or headers[
            "message-id"
        ].startswith(f"<delivery-{delivery.pk}.")
        assert message["metadata"]["delivery_id"] == str(delivery.pk)
        assert message["tags"][0] == MessageKind.COMMERCIAL.value
        if esp.startswith("postmark"):
            assert message["tags"] == ["commercial"]  # Postmark takes one tag (the topic is in the metadata)
        assert message["metadata"]["topic"] == newsletter.slug
        assert delivery.status == Delivery.Status.SENT
        assert delivery.esp_message_id


@pytest.mark.django_db
def test_transactional_mail_builds_for_every_esp_without_unsubscribe_headers(esp, esp_server, topics):
    subscriber = SubscriberFactory(email="buyer@example.com")
    SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"], state="pending")
    from subscriptions.emails import send_subscribe_confirmation

    send_subscribe_confirmation(subscriber)
    send_transactional(
        to="buyer@example.com", template="email/subscriptions/confirm", context={"confirm_url": "x"}, kind="order"
    )

    received = esp_server.messages()
    assert [m["to"] for m in received] == ["buyer@example.com", "buyer@example.com"]
    for message in received:
        assert "list-unsubscribe" not in headers_of(message)
        assert message["tags"] in (["account"], ["order"])


@pytest.mark.django_db
def test_one_address_the_esp_refuses_for_good_fails_alone(esp, esp_server, topics):
    newsletter = topics["newsletter"]
    for email in ["ok1@example.com", "gone@example.com", "ok2@example.com"]:
        SubscriptionFactory(subscriber=SubscriberFactory(email=email), topic=newsletter, frequency="twice_weekly")
    esp_server.reject("gone@example.com")
    edition = make_edition(newsletter)

    mailing.plan_edition(edition_id=edition.pk)
    result = mailing.send_batch(edition_id=edition.pk)

    assert (result.sent, result.failed, result.released) == (2, 1, 0)
    status = dict(Delivery.objects.values_list("subscriber__email", "status"))
    assert status == {"ok1@example.com": "sent", "gone@example.com": "failed", "ok2@example.com": "sent"}
    assert sorted(m["to"] for m in esp_server.messages()) == ["ok1@example.com", "ok2@example.com"]
    assert Delivery.objects.get(subscriber__email="gone@example.com").error


@pytest.mark.django_db
def test_a_combined_email_carries_each_sections_own_link_and_a_one_click_for_all_its_topics(esp, esp_server, topics):
    """Issue 13, item 7: topics due in one slot go as one email. Through every ESP: one message per person, each
    section's link unsubscribes from its topic, the List-Unsubscribe header from every topic in the email."""
    newsletter, brands = topics["newsletter"], topics["new-brands-and-styles"]
    both = {}
    for i in range(2):
        subscriber = SubscriberFactory(email=f"both{i}@example.com")
        SubscriptionFactory(subscriber=subscriber, topic=newsletter, frequency="twice_weekly")
        SubscriptionFactory(subscriber=subscriber, topic=brands, frequency="twice_weekly")
        both[subscriber.email] = subscriber
    SubscriptionFactory(subscriber=SubscriberFactory(email="one@example.com"), topic=newsletter, frequency="weekly")
    body = {"body_html": '<p>{{ topic.slug }}</p><a href="{{ unsubscribe_url }}">Leave</a>', "body_text": "x"}
    first, second = make_edition(newsletter, **body), make_edition(brands, **body)

    mailing.plan_editions(edition_ids=[first.pk, second.pk])
    result = mailing.send_batch(edition_id=first.pk)

    assert (result.sent, result.failed) == (3, 0), Delivery.objects.values_list("error", flat=True)
    received = esp_server.messages()
    assert sorted(m["to"] for m in received) == ["both0@example.com", "both1@example.com", "one@example.com"]
    assert esp_server.stats()["accepted_requests"] == (2 if esp in BATCH_ESPS else 3)  # one call per combination
    for message in received:
        assert "spc_" not in message["text"] + message["html"]
        if message["to"] == "one@example.com":
            assert "/unsubscribe/email/" not in message["html"]
            continue
        subscriber, headers = both[message["to"]], headers_of(message)
        assert headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click"
        header_url = re.fullmatch(r"<([^>]+)>", headers["list-unsubscribe"]).group(1)
        token = read_token(token_in(header_url, "unsubscribe/email"), purpose=Purpose.UNSUBSCRIBE_EMAIL)
        assert (token.subscriber, set(token.topics)) == (subscriber, {newsletter, brands})
        sections = re.findall(r'<p>([a-z-]+)</p><a href="([^"]+)">Leave</a>', message["html"])
        assert [slug for slug, _ in sections] == ["newsletter", "new-brands-and-styles"]
        for slug, url in sections:
            section = read_token(token_in(url, "unsubscribe"), purpose=Purpose.UNSUBSCRIBE)
            assert (section.subscriber, section.topic.slug) == (subscriber, slug)
    assert set(Delivery.objects.filter(edition=second).values_list("status", flat=True)) == {"sent"}
    assert second.__class__.objects.get(pk=second.pk).status == "sent"


def test_the_engine_turns_off_botocores_client_side_validation_for_ses_and_nothing_else(settings, esp_server):
    """SES validates each call again; the engine's own payloads skip botocore's copy of that check (about 2.5 ms of
    CPU in a 9 ms call). Transactional mail and a setting that asks for validation keep it."""
    from django.core.mail import get_connection

    from subscriptions.mailing.esp import engine_connection

    configured = esp_server.anymail_settings("ses")
    settings.EMAIL_BACKEND = configured["EMAIL_BACKEND"]
    settings.ANYMAIL = configured["ANYMAIL"]

    def validates(connection) -> bool:
        """A template name that is a number: botocore refuses it before sending, or sends it and SES answers."""
        from botocore.exceptions import ParamValidationError

        sent_before = esp_server.stats()["requests"]
        with connection:
            try:
                connection.client.delete_email_template(TemplateName=5)
            except ParamValidationError:
                assert esp_server.stats()["requests"] == sent_before  # refused here: nothing went out
                return True
            except connection.client.exceptions.NotFoundException:
                pass
        assert esp_server.stats()["requests"] == sent_before + 1  # it went to SES, which checked it
        return False

    assert validates(engine_connection()) is False
    assert validates(get_connection()) is True  # transactional mail: botocore's defaults
    client_params = configured["ANYMAIL"]["AMAZON_SES_CLIENT_PARAMS"]
    assert "parameter_validation" not in client_params["config"]  # the settings were not changed
    # The engine kept the settings' other client options (its retries: one attempt, the engine retries).
    with engine_connection() as connection:
        assert connection.client.meta.config.retries["total_max_attempts"] == 1

    settings.ANYMAIL = {
        **configured["ANYMAIL"],
        "AMAZON_SES_CLIENT_PARAMS": {**client_params, "config": {"parameter_validation": True}},
    }
    assert validates(engine_connection()) is True  # a shop that asks for it keeps it

    settings.EMAIL_BACKEND, settings.ANYMAIL = esp_server.anymail_settings("sendgrid").values()
    assert not hasattr(engine_connection(), "client")  # other ESPs: Django's get_connection() as it is
