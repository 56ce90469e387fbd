"""Issue 13, item 9: "staff requests accept an email address". A person without an account writes or phones in; a
privacy officer opens the request from the admin with the address. The address gets the public page's single-use
link (the person proves it is theirs, and only they see the export); the link completes the officer's request.
The DataRequest never holds the address in clear. Attacks: Support and staff without the permission POST directly;
an address in the notes or the subject; a link used after the officer closed the request."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from privacy.data_rights import guest_subject
from privacy.models import ConsentEvent, DataRequest, GuestLink
from shop.models import SupportTicket
from subscriptions.models import Subscriber
from tests.factories import ReviewFactory, StaffFactory, SubscriberFactory, SubscriptionFactory, UserFactory

GUEST = "caller.person@example.org"

pytestmark = pytest.mark.django_db


def url(kind: str) -> str:
    return reverse("admin:privacy_datarequest_guest", args=[kind])


def staff_in(group: str | None, email: str):
    user = StaffFactory(email=email, is_superuser=False)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def officer():
    return staff_in("Privacy officer", "officer@example.org")


@pytest.fixture
def guest_data():
    subscriber = SubscriberFactory(email=GUEST)
    SubscriptionFactory(subscriber=subscriber)
    ticket = SupportTicket.objects.create(name="Cal Ler", email=GUEST, subject="By phone", message="Call me back")
    review = ReviewFactory(email=GUEST, display_name="Cal", city="Lyon")
    return {"subscriber": subscriber, "ticket": ticket, "review": review}


def emailed_path(message) -> str:
    found = re.search(r"https?://[^/\s]+(/privacy/request/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def no_address_in_requests() -> None:
    for row in DataRequest.objects.all():
        assert GUEST not in row.subject
        assert GUEST not in row.notes
        assert GUEST not in str(row.summary)
    for entry in LogEntry.objects.all():
        assert GUEST not in entry.object_repr
        assert GUEST not in entry.change_message


def test_the_queue_offers_both_requests_to_a_privacy_officer(client, officer):
    client.force_login(officer)
    page = client.get(reverse("admin:privacy_datarequest_changelist"))
    assert url("export").encode() in page.content
    assert url("erasure").encode() in page.content
    form = client.get(url("erasure"))
    assert form.status_code == 200
    assert b"The person&#x27;s email address" in form.content or b"The person's email address" in form.content


def test_an_officer_opens_an_erasure_and_the_person_completes_it_by_the_link(
    client, officer, guest_data, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("erasure"), {"email": " Caller.Person@example.org ", "notes": "Phoned 29 Nov."})
    data_request = DataRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:privacy_datarequest_change", args=[data_request.pk])
    assert data_request.kind == "erasure"
    assert data_request.status == "received"
    assert data_request.user is None
    assert data_request.subject == guest_subject(GUEST)
    assert data_request.handled_by == officer
    assert data_request.notes == "Phoned 29 Nov."
    assert LogEntry.objects.get().user == officer
    no_address_in_requests()

    # Nothing was erased yet: the address gets a link, and the officer's message says so.
    assert SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()
    assert [m.to for m in mail.outbox] == [[GUEST]]
    assert "You asked our privacy team" in mail.outbox[0].body
    followed = client.get(response["Location"])
    assert b"single-use link" in followed.content
    assert GUEST.encode() not in followed.content

    # The person opens the link (in their own browser) and confirms.
    client.logout()
    done = client.post(emailed_path(mail.outbox[0]))
    assert b"Your data is deleted" in done.content
    assert not SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()
    assert Subscriber.objects.get(pk=guest_data["subscriber"].pk).email != GUEST
    data_request.refresh_from_db()
    assert data_request.status == "completed"
    assert data_request.handled_by == officer
    assert data_request.summary["guest"] is True
    assert DataRequest.objects.count() == 1  # the link completed the officer's request, no second row
    event = ConsentEvent.objects.get(subject=guest_subject(GUEST), purpose="erasure")
    assert event.method == ConsentEvent.Method.EMAILED_LINK
    no_address_in_requests()


def test_an_officer_opens_an_export_only_the_person_sees_the_data(
    client, officer, guest_data, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("export"), {"email": GUEST})
    assert b"Call me back" not in client.get(response["Location"]).content  # the officer never sees the data
    client.logout()
    export = client.post(emailed_path(mail.outbox[0]), {"format": "page"})
    assert b"Call me back" in export.content
    data_request = DataRequest.objects.get()
    assert (data_request.kind, data_request.status, data_request.handled_by) == ("export", "completed", officer)
    assert not data_request.self_service
    no_address_in_requests()


def test_asking_again_reuses_the_open_request_and_only_the_new_link_works(
    client, officer, guest_data, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("erasure"), {"email": GUEST})
    assert DataRequest.objects.count() == 1
    assert GuestLink.objects.count() == 1
    old, new = (emailed_path(m) for m in mail.outbox)
    client.logout()
    assert client.post(old).status_code == 404  # the replaced link changes nothing
    assert SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()
    assert client.post(new).status_code == 200
    assert DataRequest.objects.get().status == "completed"


def test_an_address_we_hold_nothing_under_is_recorded_answered_and_nothing_is_sent(
    client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("export"), {"email": "nobody.here@example.org"}, follow=True)
    assert b"We hold nothing under this address" in response.content
    data_request = DataRequest.objects.get()
    assert data_request.status == "completed"
    assert data_request.summary == {"guest": True, "held_nothing": True}
    assert data_request.handled_by == officer
    assert mail.outbox == []
    assert not GuestLink.objects.exists()


def test_an_account_address_is_refused_with_a_link_to_the_account_request(
    client, officer, django_capture_on_commit_callbacks
):
    shopper = UserFactory(email=GUEST)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("erasure"), {"email": GUEST})
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert b"This address belongs to an account" in response.content
    assert f"user={shopper.pk}&amp;kind=erasure".encode() in response.content
    assert not DataRequest.objects.exists()
    assert not GuestLink.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not an address"}, b"Enter an email address in the correct format"),
        ({"email": ""}, b"Enter the email address the person asked about."),
        ({"email": GUEST, "notes": f"Called from {GUEST}"}, b"Remove the email address from the notes"),
    ],
)
def test_bad_input_gets_the_error_summary_and_changes_nothing(client, officer, guest_data, data, message):
    client.force_login(officer)
    response = client.post(url("erasure"), data)
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert message in response.content
    assert not DataRequest.objects.exists()
    assert not GuestLink.objects.exists()


def test_an_unknown_kind_is_not_found(client, officer):
    client.force_login(officer)
    assert client.get(url("correction")).status_code == 404
    assert client.post(url("correction"), {"email": GUEST}).status_code == 404


@pytest.mark.parametrize("group", ["Support", None])
def test_attack_support_and_staff_without_the_permission_get_403(
    client, group, guest_data, django_capture_on_commit_callbacks
):
    client.force_login(staff_in(group, "clerk@example.org"))
    for kind in ("export", "erasure"):
        assert client.get(url(kind)).status_code == 403
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url(kind), {"email": GUEST}).status_code == 403
    assert url("erasure").encode() not in client.get(reverse("admin:privacy_datarequest_changelist")).content
    assert not DataRequest.objects.exists()
    assert not GuestLink.objects.exists()
    assert mail.outbox == []


def test_attack_an_officer_with_export_rights_only_cannot_open_an_erasure(client, guest_data):
    clerk = staff_in(None, "exporter@example.org")
    from django.contrib.auth.models import Permission

    clerk.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="privacy", codename__in=["add_datarequest", "run_export"])
    )
    client.force_login(clerk)
    assert client.get(url("export")).status_code == 200
    assert client.post(url("erasure"), {"email": GUEST}).status_code == 403
    assert not DataRequest.objects.exists()


def test_attack_a_shopper_and_a_stranger_are_sent_to_sign_in(client, guest_data):
    assert client.post(url("erasure"), {"email": GUEST}).status_code == 302
    client.force_login(UserFactory())
    assert client.post(url("erasure"), {"email": GUEST}).status_code == 302
    assert not DataRequest.objects.exists()


def test_a_link_used_after_the_officer_rejected_the_request_changes_nothing(
    client, officer, guest_data, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("erasure"), {"email": GUEST})
    DataRequest.objects.update(status=DataRequest.Status.REJECTED)
    client.logout()
    response = client.post(emailed_path(mail.outbox[0]))
    assert response.status_code == 404
    assert SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()


def test_the_request_form_refuses_an_address_as_subject_or_in_the_notes(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("admin:privacy_datarequest_add"),
        {
            "kind": "erasure",
            "status": "received",
            "subject": GUEST,
            "notes": f"write to {GUEST}",
            "received_at_0": "2026-11-29",
            "received_at_1": "10:00:00",
            "due_at_0": "2026-12-29",
            "due_at_1": "10:00:00",
        },
    )
    assert response.status_code == 200
    assert b"The subject may not be an email address" in response.content
    assert b"Remove the email address from the notes" in response.content
    assert not DataRequest.objects.exists()


def test_the_run_actions_explain_that_a_guest_request_completes_by_the_link(
    client, officer, guest_data, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("erasure"), {"email": GUEST})
    data_request = DataRequest.objects.get()
    data_request.status = DataRequest.Status.VERIFIED
    data_request.save()
    response = client.post(
        reverse("admin:privacy_datarequest_changelist"),
        {"action": "run_erasure", "_selected_action": [data_request.pk]},
        follow=True,
    )
    assert b"completes when the person uses the emailed link" in response.content
    assert SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()
