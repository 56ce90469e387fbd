import re

import pytest
from django.test import Client
from django.urls import reverse

from subscriptions.models import Subscriber, Subscription
from subscriptions.selectors import eligible_subscriptions
from tests.factories import SubscriberFactory, SubscriptionFactory

URL = reverse("subscriptions:subscribe")


def confirm_path(message) -> str:
    link = re.search(r"https?://\S+/subscribe/confirm/\S+/", message.body).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


@pytest.mark.django_db
def test_a_guest_subscribes_and_nothing_is_sent_before_confirmation(
    client, topics, mailoutbox_anymail, ledger, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"email": "  Guest@Example.COM ", "topics": ["newsletter", "contests"]})
    assert response.status_code == 302
    assert response["Location"] == reverse("subscriptions:subscribe_sent")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "guest@example.com"
    assert subscriber.confirmed_at is None
    assert set(subscriber.subscriptions.values_list("state", flat=True)) == {"pending"}
    assert not eligible_subscriptions(None).exists()
    assert [(e.purpose, e.action, e.method, e.double_opt_in) for e in ledger.new()] == [
        ("topic:newsletter", "requested", "subscribe_form", False),
        ("topic:contests", "requested", "subscribe_form", False),
    ]
    [message] = mailoutbox_anymail
    assert message.to == ["guest@example.com"]
    assert message.tags == ["account"]  # transactional (account) mail, never commercial
    assert "List-Unsubscribe" not in message.extra_headers
    assert "Newsletter and special offers" in message.body

    # The link: GET shows a button and changes nothing (scanners), POST confirms.
    path = confirm_path(message)
    page = client.get(path)
    assert "Confirm my subscription" in page.content.decode()
    assert Subscriber.objects.get().confirmed_at is None
    done = client.post(path)
    assert "You're subscribed" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is not None
    assert eligible_subscriptions(topics["newsletter"]).get().subscriber == subscriber
    confirmations = ledger.new()[2:]
    assert [(e.action, e.method, e.double_opt_in) for e in confirmations] == [("granted", "emailed_link", True)] * 2
    # The confirmed page leads to the preference center.
    preferences = re.search(r'href="(/preferences/[^"]+/)"', done.content.decode()).group(1)
    assert client.get(preferences).status_code == 200
    # Confirming again is harmless.
    client.post(path)
    assert len(ledger.new()) == 4


@pytest.mark.django_db
def test_a_known_address_gets_the_same_answer(topics, mailoutbox, django_capture_on_commit_callbacks):
    known = SubscriberFactory(email="known@example.com")
    SubscriptionFactory(subscriber=known, topic=topics["newsletter"])
    answers = []
    for email in ["known@example.com", "new@example.com"]:
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(URL, {"email": email, "topics": ["newsletter"]}, follow=True)
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        answers.append((response.status_code, response.redirect_chain, page))
    assert answers[0] == answers[1]
    # The active subscriber got no duplicate request; the newcomer got a confirmation email.
    assert Subscription.objects.get(subscriber=known).state == "active"
    assert [m.to for m in mailoutbox] == [["new@example.com"]]


@pytest.mark.django_db
def test_someone_else_cannot_add_topics_to_a_confirmed_address(client, subscriber, topics):
    client.post(URL, {"email": "reader@example.com", "topics": ["contests"]})
    assert Subscription.objects.get(subscriber=subscriber, topic=topics["contests"]).state == "pending"
    assert [s.topic.slug for s in eligible_subscriptions(None)] == ["newsletter"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address", "topics": ["newsletter"]}, "Please enter a valid email address."),
        ({"email": "", "topics": ["newsletter"]}, "Please enter your email address."),
        ({"email": "a@example.com"}, "Please choose at least one kind of email."),
        ({"email": "a@example.com", "topics": ["nope"]}, "Please choose from the list."),
        ({"email": "a" * 250 + "@example.com", "topics": ["newsletter"]}, "at most 254 characters"),
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(client, topics, mailoutbox, data, message):
    response = client.post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_footer_form_is_on_every_page_and_subscribes_to_the_newsletter(client, topics):
    page = client.get(reverse("home")).content.decode()
    assert 'action="/subscribe/"' in page
    assert 'name="topics" value="newsletter"' in page
    client.post(URL, {"email": "footer@example.com", "topics": "newsletter"})
    assert Subscription.objects.get().topic.slug == "newsletter"


@pytest.mark.django_db
def test_rate_limits_per_address_silently_and_per_ip_visibly(
    client, topics, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SUBSCRIPTIONS_SUBSCRIBE_RATE_PER_ADDRESS = 2
    settings.SUBSCRIPTIONS_SUBSCRIBE_RATE_PER_IP = 5
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client(REMOTE_ADDR=f"10.0.0.{n}").post(
                URL, {"email": "target@example.com", "topics": "newsletter"}
            )
        assert response.status_code == 302  # same answer every time
    assert len(mailoutbox) == 2  # but only two emails reach the address

    for _ in range(5):
        assert client.post(URL, {"email": "x@example.com", "topics": "newsletter"}).status_code == 302
    blocked = client.post(URL, {"email": "y@example.com", "topics": "newsletter"})
    assert blocked.status_code == 429
    assert "Please try again later" in blocked.content.decode()
    assert not Subscriber.objects.filter(email="y@example.com").exists()


@pytest.mark.django_db
def test_an_old_confirmation_link_is_refused_kindly(client, subscriber):
    import time
    from unittest import mock

    from subscriptions.tokens import Purpose, make_token

    with mock.patch("django.core.signing.time.time", return_value=time.time() - 20 * 86400):
        token = make_token(subscriber, purpose=Purpose.CONFIRM)
    response = client.post(reverse("subscriptions:subscribe_confirm", args=[token]))
    assert response.status_code == 404
    assert "This link doesn't work" in response.content.decode()


@pytest.mark.django_db
def test_the_subscribe_page_lists_topics_with_no_box_pre_ticked(client, topics):
    page = client.get(URL).content.decode()
    for topic in topics.values():
        assert topic.name in page
    assert "checked" not in page
