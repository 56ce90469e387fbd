"""Staff pause, resume and cancel an edition while it sends (services and admin actions, with permissions)."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse

from subscriptions import mailing
from subscriptions.models import Delivery, Edition
from tests.factories import StaffFactory, SubscriberFactory, SubscriptionFactory

from .test_mailing import make_edition


class PausingBackend(LocmemBackend):
    """Staff press "pause" (or "cancel") while the first chunk is with the ESP."""

    action = "pause"

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        edition = Edition.objects.get()
        if edition.status == Edition.Status.SENDING and len(mail.outbox) == 2:
            getattr(mailing, f"{self.action}_edition")(edition_id=edition.pk)
        return sent


class CancellingBackend(PausingBackend):
    action = "cancel"


@pytest.fixture
def six_readers(topics):
    for i in range(6):
        SubscriptionFactory(subscriber=SubscriberFactory(email=f"r{i}@example.com"), topic=topics["newsletter"])
    return make_edition(topics["newsletter"])


@pytest.mark.django_db
def test_a_paused_edition_stops_after_the_chunk_in_flight_and_resume_sends_the_rest_once(
    settings, six_readers, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.subscriptions.test_mailing_control.PausingBackend"
    settings.SUBSCRIPTIONS_SEND_CHUNK = 2
    edition = six_readers
    mailing.plan_edition(edition_id=edition.pk)
    mailing.send_batch(edition_id=edition.pk)

    edition.refresh_from_db()
    assert edition.status == Edition.Status.PAUSED
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(status="queued", lease_until__isnull=True).count() == 4  # handed back, free
    assert mailing.send_batch(edition_id=edition.pk).claimed == 0  # a paused edition sends nothing

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        mailing.resume_edition(edition_id=edition.pk)  # enqueues a batch (eager here)

    assert sorted(m.to[0] for m in mail.outbox) == [f"r{i}@example.com" for i in range(6)]
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}  # a pause is not a failed try


@pytest.mark.django_db
def test_cancelling_a_sending_edition_skips_everyone_not_yet_sent(settings, six_readers):
    settings.EMAIL_BACKEND = "tests.subscriptions.test_mailing_control.CancellingBackend"
    settings.SUBSCRIPTIONS_SEND_CHUNK = 2
    edition = six_readers
    mailing.plan_edition(edition_id=edition.pk)
    mailing.send_batch(edition_id=edition.pk)

    edition.refresh_from_db()
    assert edition.status == Edition.Status.CANCELLED
    assert len(mail.outbox) == 2
    statuses = list(Delivery.objects.order_by("id").values_list("status", "error"))
    assert statuses[:2] == [("sent", "")] * 2
    assert statuses[2:] == [("skipped", "cancelled by staff")] * 4
    assert mailing.resume_edition(edition_id=edition.pk) == 0  # a cancelled edition stays cancelled


@pytest.mark.django_db
def test_only_staff_allowed_to_change_editions_may_pause_resume_or_cancel(client, settings, six_readers):
    edition = six_readers
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENDING)
    url = reverse("admin:subscriptions_edition_changelist")
    viewer = StaffFactory(email="viewer@example.com", is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_edition"))
    client.force_login(viewer)
    for action in ["pause", "cancel"]:
        client.post(url, {"action": action, "_selected_action": [edition.pk]})
        assert Edition.objects.get().status == Edition.Status.SENDING

    editor = StaffFactory(email="editor@example.com", is_superuser=False)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_edition", "change_edition"]))
    client.force_login(editor)
    client.post(url, {"action": "pause", "_selected_action": [edition.pk]})
    assert Edition.objects.get().status == Edition.Status.PAUSED
    client.post(url, {"action": "cancel", "_selected_action": [edition.pk]})
    assert Edition.objects.get().status == Edition.Status.CANCELLED
    assert Delivery.objects.filter(status="skipped").count() == 0  # (nothing was planned in this test)
