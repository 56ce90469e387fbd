import pytest
from django.urls import reverse

from shop.models import SupportReply, SupportTicket
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

MESSAGE = {"name": "Jo Guest", "email": "jo@example.com", "subject": "Sizing", "message": "Does the shirt run small?"}


def test_guest_contact_creates_a_ticket(client):
    response = client.post(reverse("shop:contact"), MESSAGE)
    assert response.url == reverse("shop:contact_thanks")
    ticket = SupportTicket.objects.get()
    assert (ticket.email, ticket.subject, ticket.user) == ("jo@example.com", "Sizing", None)


def test_logged_in_shopper_ticket_is_linked(shopper_client, shopper):
    shopper_client.post(reverse("shop:contact"), {**MESSAGE, "email": shopper.email})
    assert SupportTicket.objects.get().user == shopper


@pytest.mark.parametrize(
    "override",
    [
        {"message": "My card is 4111 1111 1111 1111, please refund"},
        {"subject": "x" * 151},
        {"message": "x" * 5001},
        {"email": "not-an-email"},
        {"name": ""},
    ],
)
def test_bad_contact_input_shows_an_error_and_writes_nothing(client, override):
    response = client.post(reverse("shop:contact"), {**MESSAGE, **override})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not SupportTicket.objects.exists()


def test_contact_form_is_rate_limited(client, settings):
    settings.SHOP_CONTACT_RATE_LIMIT = (2, 3600)
    for _ in range(2):
        assert client.post(reverse("shop:contact"), MESSAGE).status_code == 302
    response = client.post(reverse("shop:contact"), MESSAGE)
    assert response.status_code == 429
    assert "Please wait an hour" in response.content.decode()
    assert SupportTicket.objects.count() == 2


def test_staff_reply_from_the_admin_is_kept_and_emailed(client, mailoutbox, django_capture_on_commit_callbacks):
    client.post(reverse("shop:contact"), MESSAGE)
    ticket = SupportTicket.objects.get()
    staff = StaffFactory()
    client.force_login(staff)
    url = reverse("admin:shop_supportticket_change", args=[ticket.pk])
    assert client.get(url).status_code == 200
    data = {
        "status": "open",
        "replies-TOTAL_FORMS": "1",
        "replies-INITIAL_FORMS": "0",
        "replies-MIN_NUM_FORMS": "0",
        "replies-MAX_NUM_FORMS": "1000",
        "replies-0-body": "It runs true to size.",
        "replies-0-ticket": ticket.pk,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    reply = SupportReply.objects.get()
    assert (reply.body, reply.author, reply.ticket) == ("It runs true to size.", staff, ticket)
    assert reply.sent_at is not None
    ticket.refresh_from_db()
    assert ticket.status == "answered"
    [mail] = mailoutbox
    assert mail.to == ["jo@example.com"]
    assert mail.tags == ["support"]
    assert "It runs true to size." in mail.body
    assert "Re: Sizing" in mail.subject
