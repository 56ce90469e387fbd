"""Issue 13, item 9: people without an account download or erase their data through an emailed, single-use,
expiring link (/privacy/request/). Each attack a stranger would try has its test: enumeration, a reused, expired or
tampered link, erasing someone else's address, hammering the form."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core import mail
from django.utils import timezone

from privacy.data_rights import guest_subject
from privacy.models import ConsentEvent, DataRequest, GuestLink
from shop.models import Contest, ContestEntry, SupportTicket
from subscriptions.addresses import email_hash
from subscriptions.models import SentEmail, Subscriber, Suppression
from tests.factories import ReviewFactory, SubscriberFactory, SubscriptionFactory, UserFactory

GUEST = "guest.person@example.org"
REQUEST_URL = "/privacy/request/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_data():
    """A guest with a subscription, a review, a contest entry and a support ticket under one address."""
    subscriber = SubscriberFactory(email=GUEST)
    SubscriptionFactory(subscriber=subscriber)
    review = ReviewFactory(email=GUEST, display_name="Gwen", city="Nantes")
    now = timezone.now()
    contest = Contest.objects.create(
        title="Spring draw", slug="spring", prize="Shoes", starts_at=now, ends_at=now + datetime.timedelta(days=9)
    )
    entry = ContestEntry.objects.create(contest=contest, first_name="Gwen", city="Nantes", email=GUEST)
    ticket = SupportTicket.objects.create(name="Gwen G", email=GUEST, subject="Sizes", message="Which size?")
    return {"subscriber": subscriber, "review": review, "entry": entry, "ticket": ticket}


def ask(client, email=GUEST, kind="export", ip="198.51.100.7"):
    with_captured = client.post(REQUEST_URL, {"email": email, "kind": kind}, REMOTE_ADDR=ip)
    return with_captured


def link_path(message) -> str:
    found = re.search(r"https?://[^/\s]+(/privacy/request/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_the_page_asks_for_an_address_and_a_choice(client):
    response = client.get(REQUEST_URL)
    assert response.status_code == 200
    assert b"Download my data" in response.content
    assert b"Delete my data" in response.content


def test_a_bad_address_gets_the_error_summary_and_nothing_is_written(client):
    response = client.post(REQUEST_URL, {"email": "not an address", "kind": "export"})
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert b"Enter an email address in the correct format" in response.content
    assert not GuestLink.objects.exists()
    assert len(mail.outbox) == 0


def test_a_guest_downloads_their_data_once(client, guest_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [GUEST]
    path = link_path(mail.outbox[0])
    assert GUEST not in path

    page = client.get(path)  # the GET shows a button and changes nothing
    assert page.status_code == 200
    assert b"Download it as JSON" in page.content
    assert not DataRequest.objects.exists()

    download = client.post(path, {"format": "json"})
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    payload = json.loads(download.content)
    sections = payload["sections"]
    assert [item["email"] for item in sections["subscriptions"]["items"]] == [GUEST]
    assert sections["reviews"]["items"][0]["display_name"] == "Gwen"
    assert sections["contest_entries"]["items"][0]["city"] == "Nantes"
    assert sections["support_tickets"]["items"][0]["message"] == "Which size?"
    assert "profile" not in sections
    assert "orders" not in sections

    data_request = DataRequest.objects.get()
    assert data_request.kind == "export"
    assert data_request.status == "completed"
    assert data_request.user is None
    assert data_request.subject == guest_subject(GUEST)
    assert GUEST not in data_request.subject

    again = client.post(path, {"format": "page"})  # link reuse
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert DataRequest.objects.count() == 1
    assert GuestLink.objects.get().email == ""  # a used link no longer holds the address


def test_the_export_can_be_shown_as_a_page(client, guest_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client)
    response = client.post(link_path(mail.outbox[0]), {"format": "page"})
    assert response.status_code == 200
    assert b"Your data" in response.content
    assert b"Which size?" in response.content


def test_a_guest_erases_everything_held_under_their_address_only(
    client, guest_data, django_capture_on_commit_callbacks
):
    other_review = ReviewFactory(email="someone.else@example.org", display_name="Sam", city="Brest")
    other_ticket = SupportTicket.objects.create(name="Sam", email="someone.else@example.org", subject="Hi", message="x")
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, kind="erasure")
    path = link_path(mail.outbox[0])
    assert b"Delete my data" in client.get(path).content
    assert ContestEntry.objects.filter(email=GUEST).exists()  # the GET changed nothing

    response = client.post(path)
    assert response.status_code == 200
    assert b"Your data is deleted" in response.content
    assert not SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()
    assert not ContestEntry.objects.filter(pk=guest_data["entry"].pk).exists()
    review = type(guest_data["review"]).objects.get(pk=guest_data["review"].pk)
    assert review.email == ""
    assert review.city == ""
    assert review.display_name != "Gwen"
    subscriber = Subscriber.objects.get(pk=guest_data["subscriber"].pk)
    assert subscriber.email != GUEST
    assert Suppression.objects.filter(email_hash=email_hash(GUEST)).exists()
    assert not SentEmail.objects.filter(recipient_hash=email_hash(GUEST)).exists()
    assert ConsentEvent.objects.filter(subject=guest_subject(GUEST), purpose="erasure").exists()
    erasure = DataRequest.objects.get(kind="erasure")
    assert erasure.status == "completed"
    assert erasure.summary["guest"] is True
    # someone else's data under another address is untouched
    other_review.refresh_from_db()
    assert other_review.email == "someone.else@example.org"
    assert SupportTicket.objects.filter(pk=other_ticket.pk).exists()

    assert client.post(path).status_code == 410  # and the link cannot run twice


def test_enumeration_known_and_unknown_addresses_get_the_same_answer(
    client, guest_data, django_capture_on_commit_callbacks
):
    """The attacker sees the same redirect and page for an address we hold data under, one we don't and one of an
    account, and receives nothing: what is sent goes to that address's own inbox."""
    UserFactory(email="member@example.org")
    answers = []
    for address in (GUEST, "nobody.here@example.org", "member@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(client, email=address)
        answers.append((response.status_code, response["Location"]))
        page = client.get(response["Location"]).content
        answers.append(re.sub(rb'(nonce|value)="[^"]*"', b"", page))  # the CSP nonce, the banner's CSRF token
    assert answers[0] == answers[2] == answers[4]
    assert answers[1] == answers[3] == answers[5]
    assert b"If we hold data under that address, we have emailed a link" in answers[1]
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == [GUEST, "member@example.org"]  # nothing to the unknown address, nothing to the attacker
    assert not GuestLink.objects.filter(email="nobody.here@example.org").exists()


def test_an_account_address_is_sent_to_the_account_pages_and_no_link(
    client, guest_data, django_capture_on_commit_callbacks
):
    UserFactory(email="member@example.org")
    ReviewFactory(email="member@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, email="member@example.org", kind="erasure")
    (message,) = mail.outbox
    assert "sign in" in message.body
    assert "/privacy/delete/" in message.body
    assert "/privacy/request/" not in message.body
    assert not GuestLink.objects.exists()


def test_an_account_created_after_the_link_went_out_blocks_the_guest_erasure(
    client, guest_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, kind="erasure")
    path = link_path(mail.outbox[0])
    UserFactory(email=GUEST)
    response = client.post(path)
    assert response.status_code == 409
    assert b"belongs to an account" in response.content
    assert SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()


def test_an_expired_link_changes_nothing(client, guest_data, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, kind="erasure")
    path = link_path(mail.outbox[0])
    GuestLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 404
        assert b"This link has expired" in response.content
    assert SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()
    assert not DataRequest.objects.exists()


def test_a_link_older_than_its_signature_allows_is_expired(
    client, guest_data, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, kind="erasure")
    path = link_path(mail.outbox[0])
    settings.PRIVACY_GUEST_LINK_HOURS = 0  # the signature's max_age, whatever the row says
    response = client.post(path)
    assert response.status_code == 404
    assert b"expired" in response.content
    assert SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()


def test_a_tampered_token_changes_nothing(client, guest_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, kind="erasure")
    path = link_path(mail.outbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    _public_id, rest = token.split(":", 1)
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # a changed signature
        f"{GuestLink.objects.get().public_id.hex[:8]}-0000-0000-0000-000000000000:{rest}",  # another id, same signature
        "not-a-token",
    ]
    for bad in forged:
        response = client.post(f"/privacy/request/{bad}/")
        assert response.status_code == 404
        assert b"doesn't work" in response.content
    assert SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()
    assert not DataRequest.objects.exists()


def test_nobody_can_erase_another_persons_address(client, guest_data, django_capture_on_commit_callbacks):
    """A stranger asks to erase the guest's address: the link goes to the guest's inbox, never to the stranger, and
    without the link nothing happens."""
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, kind="erasure", ip="203.0.113.66")
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[GUEST]]
    page = client.get(response["Location"])
    assert not re.search(rb"/privacy/request/(?!sent/)[^\"/\s]+/", page.content)  # no link to the stranger
    assert SupportTicket.objects.filter(pk=guest_data["ticket"].pk).exists()
    assert not DataRequest.objects.exists()


def test_the_form_is_rate_limited_per_ip(client, settings, django_capture_on_commit_callbacks):
    settings.PRIVACY_GUEST_REQUEST_RATE_PER_IP = 3
    for n in range(3):
        assert ask(client, email=f"probe{n}@example.org").status_code == 302
    refused = ask(client, email="probe9@example.org")
    assert refused.status_code == 429
    assert b"try again later" in refused.content.lower()
    assert not GuestLink.objects.filter(email="probe9@example.org").exists()
    assert ask(client, email="probe9@example.org", ip="192.0.2.200").status_code == 302  # another connection


def test_one_address_is_mailed_a_limited_number_of_links_a_day(
    client, guest_data, settings, django_capture_on_commit_callbacks
):
    """Hammering one victim's address from many connections does not flood their inbox; the answer stays the same."""
    settings.PRIVACY_GUEST_REQUEST_RATE_PER_ADDRESS = 2
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(client, ip=f"192.0.2.{n + 1}")
        assert response.status_code == 302
    assert len(mail.outbox) == 2


def test_the_task_mails_a_link_once_and_expired_links_are_purged(guest_data, django_capture_on_commit_callbacks):
    from privacy.data_rights.guests import purge_guest_links, request_link, send_guest_link

    with django_capture_on_commit_callbacks(execute=True):
        link = request_link(email=GUEST, kind="export")
    assert len(mail.outbox) == 1
    assert send_guest_link(link_id=link.pk) == "gone"  # a re-run of the task sends nothing twice
    assert len(mail.outbox) == 1
    assert purge_guest_links() == 0
    GuestLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert purge_guest_links() == 1
    assert not GuestLink.objects.exists()


def test_the_token_is_not_written_to_the_access_log():
    from privacy.services.access_log import redact_path

    assert redact_path("/privacy/request/abc:def:ghi/") == "/privacy/request/<token>/"
