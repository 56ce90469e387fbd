import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from subscriptions.models import AnnouncementDelivery, Edition, ServiceAnnouncement
from tests.factories import StaffFactory, SubscriberFactory, SubscriptionFactory, UserFactory

from .test_mailing import FIRST_TUESDAY, make_edition


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory(email="staff@example.com"))
    return client


@pytest.mark.django_db
def test_the_edition_page_shows_the_audience_before_sending(staff_client, topics):
    newsletter = topics["newsletter"]
    SubscriptionFactory(topic=newsletter, frequency="twice_weekly")
    SubscriptionFactory(topic=newsletter, frequency="weekly")
    SubscriptionFactory(topic=newsletter, frequency="paused")
    SubscriptionFactory(topic=newsletter, subscriber=SubscriberFactory(confirmed_at=None), state="pending")
    SubscriptionFactory(topic=newsletter, subscriber=SubscriberFactory(unsubscribed_all_at=timezone.now()))
    SubscriptionFactory(
        topic=newsletter, subscriber=SubscriberFactory(suppressed_reason="bounce", suppressed_at=timezone.now())
    )
    friday = FIRST_TUESDAY.replace(day=4)
    edition = make_edition(newsletter, slot_at=friday, status=Edition.Status.DRAFT)
    page = staff_client.get(reverse("admin:subscriptions_edition_change", args=[edition.pk])).content.decode()
    assert "<strong>1</strong> will receive it" in page
    for part in [
        "suppressed (bounce or complaint) 1",
        "unsubscribed 1",
        "unconfirmed 1",
        "paused 1",
        "other frequency 1",
    ]:
        assert part in page


@pytest.mark.django_db
def test_staff_write_schedule_and_cannot_save_a_broken_template(staff_client, topics):
    url = reverse("admin:subscriptions_edition_add")
    form = staff_client.get(url).context["adminform"].form
    slot = form.fields["slot"].choices[1][0]
    data = {
        "topic": topics["newsletter"].pk,
        "subject": "Hello",
        "preheader": "",
        "body_text": "Hi {% if topic %}",
        "body_html": "<p>Hi</p>",
        "slot": slot,
        "versions-TOTAL_FORMS": "0",  # the versions inline's management form: no version in another language
        "versions-INITIAL_FORMS": "0",
    }
    response = staff_client.post(url, data)
    assert "Template error" in response.content.decode()
    assert not Edition.objects.exists()
    response = staff_client.post(url, {**data, "body_text": "Hi {{ topic.name }}"})
    assert response.status_code == 302
    edition = Edition.objects.get()
    assert edition.slot_at == datetime.datetime.fromisoformat(slot)
    staff_client.post(
        reverse("admin:subscriptions_edition_changelist"), {"action": "schedule", "_selected_action": [edition.pk]}
    )
    assert Edition.objects.get().status == Edition.Status.SCHEDULED


@pytest.mark.django_db
def test_preview_as_a_subscriber_and_test_send_only_to_staff(staff_client, topics, subscriber):
    edition = make_edition(topics["newsletter"])
    preview = staff_client.get(
        reverse("admin:subscriptions_edition_preview", args=[edition.pk]), {"subscriber": subscriber.pk}
    )
    assert "Hello from Example Shop." in preview.content.decode()
    assert "/unsubscribe/" not in preview.content.decode()  # preview links can't unsubscribe anyone
    test_url = reverse("admin:subscriptions_edition_test", args=[edition.pk])
    staff_client.post(test_url, {"email": "reader@example.com"}, follow=True)
    assert mail.outbox == []
    staff_client.post(test_url, {"email": "staff@example.com"})
    assert [m.to for m in mail.outbox] == [["staff@example.com"]]
    assert mail.outbox[0].subject == "[TEST] December picks"


@pytest.mark.django_db
def test_the_edition_list_shows_counts_per_status(
    staff_client, topics, subscriber, django_assert_max_num_queries, settings
):
    from subscriptions import mailing

    settings.SUBSCRIPTIONS_WEEKLY_CAP = 3  # three editions in one week, planned one by one: three emails
    for _ in range(3):
        edition = make_edition(topics["newsletter"])
        mailing.plan_edition(edition_id=edition.pk)
        mailing.send_batch(edition_id=edition.pk)
    with django_assert_max_num_queries(8):
        page = staff_client.get(reverse("admin:subscriptions_edition_changelist")).content.decode()
    assert page.count('<td class="field-sent">1</td>') == 3


@pytest.mark.django_db
def test_a_service_announcement_goes_only_after_confirmation_to_every_active_account(
    staff_client, topics, django_capture_on_commit_callbacks
):
    opted_out = UserFactory(email="opted-out@example.com")
    SubscriberFactory(
        email="opted-out@example.com",
        user=opted_out,
        unsubscribed_all_at=timezone.now(),
        suppressed_reason="complaint",
        suppressed_at=timezone.now(),
    )
    UserFactory(email="gone@example.com", is_active=False)
    announcement = ServiceAnnouncement.objects.create(subject="Our terms change", body_text="On 1 January <b>x</b>.")
    send_url = reverse("admin:subscriptions_serviceannouncement_send", args=[announcement.pk])
    page = staff_client.get(send_url).content.decode()
    assert "<strong>2</strong> active accounts" in page  # staff + opted-out
    assert mail.outbox == []
    staff_client.post(send_url, {})  # no explicit confirmation: nothing
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(send_url, {"confirm": "yes"})
    assert sorted(m.to[0] for m in mail.outbox) == ["opted-out@example.com", "staff@example.com"]
    assert all("service" in m.tags for m in mail.outbox)
    assert "&lt;b&gt;x&lt;/b&gt;" in mail.outbox[0].alternatives[0][0]
    assert ServiceAnnouncement.objects.get().status == "sent"
    staff_client.post(send_url, {"confirm": "yes"})  # a second confirmation sends nothing more
    assert len(mail.outbox) == 2
    assert AnnouncementDelivery.objects.filter(sent_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_deliveries_and_the_sent_email_log_are_read_only_evidence(staff_client, topics, subscriber):
    from subscriptions import mailing
    from subscriptions.models import Delivery

    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    mailing.send_batch(edition_id=edition.pk)
    delivery = Delivery.objects.get()
    listing = staff_client.get(reverse("admin:subscriptions_delivery_changelist"), {"edition__id__exact": edition.pk})
    assert "reader@example.com" in listing.content.decode()  # staff only
    assert staff_client.get(reverse("admin:subscriptions_delivery_add")).status_code == 403
    staff_client.post(reverse("admin:subscriptions_delivery_delete", args=[delivery.pk]), {"post": "yes"})
    assert Delivery.objects.filter(pk=delivery.pk, status="sent").exists()
    assert staff_client.get(reverse("admin:subscriptions_sentemail_add")).status_code == 403
