"""Issue 12, item 6: an edition body is a staff-written template; it must not walk from the topic (or anything
else in its context) to subscribers, users, password hashes or secret keys, in the preview, a test send or a send."""

import pytest
from django.core import mail
from django.urls import reverse

from subscriptions import mailing
from subscriptions.models import AlertItem, Delivery, Edition
from tests.factories import StaffFactory, SubscriberFactory, SubscriptionFactory, UserFactory, launch_topics
from tests.subscriptions.test_mailing import make_edition

TRAVERSALS = [
    "{% for s in topic.subscriptions.all %}{{ s.subscriber.email }}|{{ s.subscriber.secret_key }}|"
    "{{ s.subscriber.user.password }}{% endfor %}",
    "{{ topic.subscriptions.all.0.subscriber.user.password }}",
    "{% for e in topic.editions.all %}{% for d in e.deliveries.all %}{{ d.subscriber.email }}{% endfor %}{% endfor %}",
    "{{ topic.editions.all }}{{ topic.subscriptions.all }}",
    "{% for i in items %}{{ i.edition.topic.subscriptions.all }}{{ i.sent_in_edition.deliveries.all }}{% endfor %}",
    "{{ topic.subscriptions.model.objects.all }}{{ topic.pk }}{{ topic.id }}",
    "{% debug %}",
]


@pytest.fixture
def topics(db):
    return launch_topics()


@pytest.fixture
def victim(topics):
    user = UserFactory(email="victim@example.com")
    user.set_password("correct horse battery staple")
    user.save()
    subscriber = SubscriberFactory(email="victim@example.com", user=user)
    SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"], frequency="twice_weekly")
    return user, subscriber


def leaked_secrets(user, subscriber) -> list[str]:
    return [user.password, subscriber.secret_key, "victim@example.com", "pbkdf2", "argon2"]


def assert_nothing_leaks(text: str, user, subscriber) -> None:
    for secret in leaked_secrets(user, subscriber):
        assert secret not in text


@pytest.mark.django_db
@pytest.mark.parametrize("body", TRAVERSALS)
def test_a_traversing_edition_body_leaks_nothing_in_preview_test_send_or_send(client, topics, victim, body):
    user, subscriber = victim
    client.force_login(StaffFactory(email="staff@example.com", is_superuser=True))
    edition = make_edition(topics["newsletter"], body_text=f"Hi\n{body}", body_html=f"<p>Hi</p>{body}")
    AlertItem.objects.create(
        topic_slug="newsletter",
        title="New brand",
        source="brand:1",
        link="https://shop.example/b",
        sent_in_edition_id=edition.pk,
    )

    preview = client.get(reverse("admin:subscriptions_edition_preview", args=[edition.pk]), {"subscriber": 0})
    assert preview.status_code == 200
    assert_nothing_leaks(preview.content.decode(), user, subscriber)

    client.post(reverse("admin:subscriptions_edition_test", args=[edition.pk]), {"email": "staff@example.com"})
    mailing.plan_edition(edition_id=edition.pk)
    mailing.send_batch(edition_id=edition.pk)

    assert Delivery.objects.get(edition=edition).status == Delivery.Status.SENT
    assert len(mail.outbox) == 2  # the test send and the real one, to the victim (their own address in "To" only)
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert_nothing_leaks(
            message.body.replace(message.to[0], "") + html.replace(message.to[0], ""), user, subscriber
        )


@pytest.mark.django_db
@pytest.mark.parametrize("body", ['{% include "admin/base.html" %}', "{% load admin_urls %}", '{% extends "x" %}'])
def test_an_edition_body_can_load_no_other_template_or_tag_library(client, topics, body):
    client.force_login(StaffFactory(email="staff@example.com", is_superuser=True))
    response = client.post(
        reverse("admin:subscriptions_edition_add"),
        {"topic": topics["newsletter"].pk, "subject": "Hi", "preheader": "", "body_text": "Hi", "body_html": body},
    )
    assert "Template error" in response.content.decode()
    assert not Edition.objects.exists()
