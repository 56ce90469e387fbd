"""The signup form's boxes become subscriptions; commercial mail waits for the account's email confirmation."""

import pytest
from django.urls import reverse

from accounts.models import User
from privacy.models import ConsentEvent
from subscriptions.models import Subscriber
from subscriptions.selectors import eligible_subscriptions
from tests.accounts.test_signup import AGE_URL, SIGNUP_URL, answer, dob, signup_data
from tests.factories import SubscriberFactory, SubscriptionFactory, launch_topics


def confirm_account(client, mailoutbox, django_capture_on_commit_callbacks) -> None:
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/confirm-email/" in line).strip()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/" + link.split("://", 1)[1].split("/", 1)[1])


@pytest.mark.django_db
def test_ticked_boxes_wait_for_the_email_confirmation(client, mailoutbox, django_capture_on_commit_callbacks):
    topics = launch_topics()
    client.post(AGE_URL, answer(dob(30)))
    client.post(SIGNUP_URL, signup_data(newsletter="on", brand_alerts="on"))
    user = User.objects.get()
    subscriber = Subscriber.objects.get()
    assert (subscriber.user, subscriber.email, subscriber.confirmed_at) == (user, "ada@example.com", None)
    assert dict(subscriber.subscriptions.values_list("topic__slug", "state")) == {
        "newsletter": "pending",
        "new-brands-and-styles": "pending",
    }
    assert not eligible_subscriptions(None).exists()
    events = ConsentEvent.objects.filter(subject=f"subscriber:{subscriber.pk}").order_by("id")
    assert [(e.purpose, e.action, e.method, e.user) for e in events] == [
        ("topic:newsletter", "requested", "signup_form", user),
        ("topic:new-brands-and-styles", "requested", "signup_form", user),
    ]

    confirm_account(client, mailoutbox, django_capture_on_commit_callbacks)
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is not None
    assert {s.topic for s in eligible_subscriptions(None)} == {topics["newsletter"], topics["new-brands-and-styles"]}
    assert eligible_subscriptions(topics["newsletter"]).get().frequency == "twice_weekly"
    granted = events.filter(action="granted")
    assert [(e.method, e.double_opt_in) for e in granted] == [("signup_form", True)] * 2
    assert client.get(reverse("subscriptions:preferences")).status_code == 200


@pytest.mark.django_db
def test_unticked_boxes_subscribe_to_nothing(client):
    launch_topics()
    client.post(AGE_URL, answer(dob(30)))
    client.post(SIGNUP_URL, signup_data())
    assert User.objects.exists()
    assert not ConsentEvent.objects.exists()
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_a_new_account_takes_over_the_guest_subscriber_and_its_history(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    topics = launch_topics()
    guest = SubscriberFactory(email="ada@example.com")
    SubscriptionFactory(subscriber=guest, topic=topics["contests"], frequency="monthly")
    client.post(AGE_URL, answer(dob(30)))
    client.post(SIGNUP_URL, signup_data(email="ADA@example.com", newsletter="on"))
    guest.refresh_from_db()
    assert guest.user == User.objects.get()
    assert Subscriber.objects.count() == 1
    # Until the account's address is confirmed, the new box does nothing (someone else may have typed it).
    assert [s.topic.slug for s in eligible_subscriptions(None)] == ["contests"]
    confirm_account(client, mailoutbox, django_capture_on_commit_callbacks)
    assert {s.topic.slug for s in eligible_subscriptions(None)} == {"contests", "newsletter"}
