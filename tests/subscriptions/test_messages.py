import re

import pytest
from django.core import mail
from django.test import Client

from subscriptions.emails import build_commercial_message
from subscriptions.models import MessageKind, Subscription
from tests.factories import SubscriberFactory


@pytest.mark.django_db
def test_a_commercial_message_carries_the_footer_and_one_click_headers(subscriber, topics, settings):
    settings.SUBSCRIPTIONS_SITE_URL = "https://shop.example"
    settings.SUBSCRIPTIONS_POSTAL_ADDRESS = "Example Shop, 1 Market Street, 75001 Paris"
    message = build_commercial_message(
        subscriber=subscriber,
        topic=topics["newsletter"],
        template="email/subscriptions/sample",
        context={"headline": "Winter sale", "items": [{"title": "Boots", "link": "https://shop.example/boots"}]},
    )
    assert message.to == ["reader@example.com"]
    assert message.subject == "Newsletter and special offers: Winter sale"
    assert message.tags == [MessageKind.COMMERCIAL, "topic:newsletter"]
    unsubscribe = re.fullmatch(
        r"<(https://shop\.example/unsubscribe/[^/>]+/)>", message.extra_headers["List-Unsubscribe"]
    )
    assert unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    for part in [message.body, html]:
        assert unsubscribe.group(1) in part
        assert "https://shop.example/preferences/" in part
        assert "Example Shop, 1 Market Street, 75001 Paris" in part
    assert "Boots" in message.body
    assert "reader@example.com" not in unsubscribe.group(1)

    # The header's link really unsubscribes with one click, from this topic.
    path = unsubscribe.group(1).removeprefix("https://shop.example")
    assert Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Subscription.objects.get(subscriber=subscriber).state == "unsubscribed"


@pytest.mark.django_db
def test_a_mailto_is_added_when_configured(subscriber, topics, settings):
    settings.SUBSCRIPTIONS_UNSUBSCRIBE_MAILTO = "unsubscribe@shop.example"
    message = build_commercial_message(
        subscriber=subscriber, topic=topics["newsletter"], template="email/subscriptions/sample"
    )
    assert message.extra_headers["List-Unsubscribe"].endswith(", <mailto:unsubscribe@shop.example?subject=unsubscribe>")


@pytest.mark.django_db
def test_each_subscriber_gets_their_own_links(topics, mailoutbox_anymail):
    a, b = SubscriberFactory(), SubscriberFactory()
    for s in (a, b):
        build_commercial_message(subscriber=s, topic=topics["contests"], template="email/subscriptions/sample").send()
    first, second = mail.outbox
    assert first.extra_headers["List-Unsubscribe"] != second.extra_headers["List-Unsubscribe"]
    assert first.anymail_test_params["tags"] == ["commercial", "topic:contests"]
