"""Issue 15, item 10: the edition's live progress and report, "Send now", the preview by email, slot times in the
shop's time zone."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy.models import ConsentEvent
from subscriptions import services
from subscriptions.models import Delivery, Edition
from tests.factories import StaffFactory, SubscriberFactory, SubscriptionFactory

from .test_mailing import FIRST_TUESDAY, make_edition

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory(email="staff@example.com"))
    return client


def readers(topic, count: int, frequency: str = "twice_weekly", name: str = "reader") -> list:
    return [
        SubscriptionFactory(
            topic=topic, subscriber=SubscriberFactory(email=f"{name}{i}@example.com"), frequency=frequency
        )
        for i in range(count)
    ]


def deliver(edition, subscription, status=Delivery.Status.SENT, attempts=1, sent_at=None) -> Delivery:
    return Delivery.objects.create(
        edition=edition,
        subscriber=subscription.subscriber,
        subscription=subscription,
        status=status,
        attempts=attempts,
        sent_at=(sent_at or timezone.now()) if status == Delivery.Status.SENT else None,
    )


def test_send_now_states_the_count_then_sends_a_draft(
    staff_client, topics, mailoutbox, django_capture_on_commit_callbacks
):
    readers(topics["newsletter"], 2)
    readers(topics["newsletter"], 1, frequency="paused", name="paused")
    edition = make_edition(topics["newsletter"], slot_at=None, status=Edition.Status.DRAFT)
    url = reverse("admin:subscriptions_edition_send_now", args=[edition.pk])
    page = staff_client.get(url).content.decode()
    assert "goes out now to <strong>2</strong> subscribers" in page
    assert "Yes, send it to 2 subscribers now" in page
    assert Edition.objects.get().status == Edition.Status.DRAFT  # the GET changed nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"confirm": "yes"})
    assert response.url == reverse("admin:subscriptions_edition_progress", args=[edition.pk])
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT  # eager Celery: the batches ran
    assert sorted(m.to[0] for m in mailoutbox) == ["reader0@example.com", "reader1@example.com"]


def test_a_scheduled_edition_sent_now_keeps_its_slots_frequencies(
    staff_client, topics, mailoutbox, django_capture_on_commit_callbacks
):
    readers(topics["newsletter"], 1, frequency="weekly")
    edition = make_edition(topics["newsletter"], slot_at=FIRST_TUESDAY)  # weekly readers are due in that slot
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("admin:subscriptions_edition_send_now", args=[edition.pk]), {"confirm": "yes"})
    assert [m.to[0] for m in mailoutbox] == ["reader0@example.com"]


@pytest.mark.parametrize("status", ["sending", "paused", "sent", "cancelled"])
def test_send_now_refuses_an_edition_past_scheduling(staff_client, topics, status, mailoutbox):
    readers(topics["newsletter"], 1)
    edition = make_edition(topics["newsletter"], status=status)
    url = reverse("admin:subscriptions_edition_send_now", args=[edition.pk])
    assert staff_client.post(url, {"confirm": "yes"}).status_code in (302, 403)
    assert Edition.objects.get().status == status
    assert not Delivery.objects.exists()
    assert mailoutbox == []


def test_the_live_progress_of_a_sending_edition(staff_client, topics):
    subscriptions = readers(topics["newsletter"], 6)
    edition = make_edition(topics["newsletter"], status=Edition.Status.SENDING)
    deliver(edition, subscriptions[0])
    deliver(edition, subscriptions[1])
    deliver(edition, subscriptions[2], status=Delivery.Status.SKIPPED)
    deliver(edition, subscriptions[3], status=Delivery.Status.QUEUED, attempts=0)
    deliver(edition, subscriptions[4], status=Delivery.Status.QUEUED, attempts=2)
    deliver(edition, subscriptions[5], status=Delivery.Status.FAILED)
    data = staff_client.get(reverse("admin:subscriptions_edition_progress_json", args=[edition.pk])).json()
    assert {k: data[k] for k in ["sent", "skipped", "failed", "retrying", "queued", "total", "percent"]} == {
        "sent": 2,
        "skipped": 1,
        "failed": 1,
        "retrying": 1,
        "queued": 1,
        "total": 6,
        "percent": 67,
    }
    assert data["rate_per_minute"] == 2.0  # two sent in the last minute
    assert data["seconds_left"] == 60  # two left at two a minute
    page = staff_client.get(reverse("admin:subscriptions_edition_progress", args=[edition.pk])).content.decode()
    assert 'data-poll-url="' in page
    assert "edition_progress.js" in page
    assert '<td data-progress="retrying">1</td>' in page  # the numbers are there without JavaScript
    assert "<svg" in page
    assert 'data-part="sent"' in page
    assert "reload this page" in page
    assert "<meta http-equiv" not in page


@pytest.mark.parametrize("status", ["draft", "scheduled", "sending", "paused", "sent", "cancelled"])
def test_the_progress_page_answers_in_every_state(staff_client, topics, status):
    edition = make_edition(topics["newsletter"], status=status)
    page = staff_client.get(reverse("admin:subscriptions_edition_progress", args=[edition.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert ("data-poll-url" in html) == (status in {"sending", "paused"})
    assert ('id="edition-report"' in html) == (status in {"sent", "cancelled"})
    change = staff_client.get(reverse("admin:subscriptions_edition_change", args=[edition.pk])).content.decode()
    assert ('id="send-now-link"' in change) == (status in {"draft", "scheduled"})


def test_the_report_counts_what_the_edition_caused_within_a_week(staff_client, topics):
    newsletter = topics["newsletter"]
    subscriptions = readers(newsletter, 5)
    outsider = SubscriptionFactory(topic=newsletter, subscriber=SubscriberFactory(email="other@example.com"))
    edition = make_edition(newsletter, status=Edition.Status.SENT)
    sent_at = timezone.now() - datetime.timedelta(days=1)
    for subscription in subscriptions:
        deliver(edition, subscription, sent_at=sent_at)
    first, second, third, fourth, fifth = (s.subscriber for s in subscriptions)
    services.unsubscribe_topic(subscriber=first, topic=newsletter, method=ConsentEvent.Method.EMAILED_LINK)
    services.suppress_subscriber(subscriber=second, reason="complaint")
    services.suppress_subscriber(subscriber=third, reason="bounce")
    services.change_frequency(
        subscriber=fourth, topic=newsletter, frequency="weekly", method=ConsentEvent.Method.EMAILED_LINK
    )
    services.unsubscribe_topic(subscriber=outsider.subscriber, topic=newsletter, method="emailed_link")  # not sent
    # A change long after the email is not its doing.
    services.unsubscribe_topic(subscriber=fifth, topic=newsletter, method=ConsentEvent.Method.EMAILED_LINK)
    ConsentEvent.objects.filter(subject=fifth.ledger_subject).update(created_at=sent_at + datetime.timedelta(days=9))
    page = staff_client.get(reverse("admin:subscriptions_edition_progress", args=[edition.pk])).content.decode()
    assert '<td id="report-emails">5</td>' in page
    assert '<td id="report-unsubscribes">1 (20.00% of emails)</td>' in page
    assert '<td id="report-fewer">1</td>' in page
    assert 'id="report-complaints">1 (20.00% of emails, <strong>over the 0.3% limit</strong>' in page
    assert 'id="report-bounces">1 ' in page
    assert "within 7 days" in page


def test_preview_as_a_subscriber_found_by_email(staff_client, topics, subscriber):
    edition = make_edition(topics["newsletter"])
    url = reverse("admin:subscriptions_edition_preview_page", args=[edition.pk])
    page = staff_client.post(url, {"email": " Reader@Example.com "}).content.decode()
    assert f"As subscriber #{subscriber.pk}" in page
    assert "[TEST] December picks" in page
    assert "Warm coats, warm prices" in page
    assert "Hello from Example Shop. Topic: Newsletter and special offers." in page  # the text version
    frame = reverse("admin:subscriptions_edition_preview", args=[edition.pk])
    frame += f"?language=en&amp;subscriber={subscriber.pk}"
    assert page.count(f'src="{frame}"') == 2
    assert 'width="375"' in page
    assert 'width="800"' in page
    assert "reader@example.com" not in frame
    missing = staff_client.post(url, {"email": "nobody@example.com"}).content.decode()
    assert "No subscriber has this address" in missing
    assert staff_client.post(url, {"email": "not an email\x00"}).status_code == 200


def test_slot_times_show_in_the_shops_time_zone(staff_client, topics, settings):
    settings.SHOP_TIME_ZONE = "Europe/Paris"
    make_edition(topics["newsletter"], slot_at=FIRST_TUESDAY)  # 09:00 in Paris is 08:00 UTC
    listing = staff_client.get(reverse("admin:subscriptions_edition_changelist")).content.decode()
    assert "1 December 2026, 09:00" in listing  # the shop's one date format (config/formats)
    assert "08:00" not in listing
