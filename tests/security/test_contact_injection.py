"""Issue 12, item 20: the contact form accepted CR/LF and control characters in name and subject, and staff replies
went to whatever address was typed.

Attacks: (1) a name or subject with "\\r\\nBcc: victim@example.com" or other control characters, aimed at the reply's
headers and the staff screens; (2) a signed-in shopper types someone else's address in the form, so the staff reply,
which talks about the account and its orders, lands in a stranger's mailbox. Now (1) is refused with a message and
nothing is stored, and (2) a reply goes only to the verified address of the ticket's account, or for a guest's
ticket to the address it came from.
"""

import pytest
from django.urls import reverse

from shop import services
from shop.models import SupportTicket
from tests.factories import StaffFactory

MESSAGE = {"name": "Jo Guest", "email": "jo@example.com", "subject": "Sizing", "message": "Does it run small?"}


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "subject", "order_number"])
@pytest.mark.parametrize(
    "value",
    ["Jo\r\nBcc: victim@example.com", "Jo\nX-Injected: 1", "Sizing\rBcc: v@example.com", "Jo\x1b[2J", "Jo\u202e"],
)
def test_line_breaks_and_control_characters_in_name_and_subject_are_refused(client, field, value):
    response = client.post(reverse("shop:contact"), {**MESSAGE, field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please remove the invisible or control characters." in page or "at most 24 characters" in page
    assert not SupportTicket.objects.exists()


@pytest.mark.django_db
def test_a_reply_to_a_signed_in_shoppers_ticket_goes_to_the_account_not_the_typed_address(
    shopper_client, shopper, mailoutbox, django_capture_on_commit_callbacks
):
    shopper_client.post(reverse("shop:contact"), {**MESSAGE, "email": "stranger@example.net"})
    ticket = SupportTicket.objects.get()
    assert ticket.email == shopper.email
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_ticket(ticket=ticket, body="Your order SPC-1 ships today.", author=StaffFactory())
    assert [mail.to for mail in mailoutbox] == [[shopper.email]]


@pytest.mark.django_db
def test_a_reply_to_a_guest_ticket_goes_to_the_address_it_came_from(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    client.post(reverse("shop:contact"), MESSAGE)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_ticket(ticket=SupportTicket.objects.get(), body="It runs true to size.", author=None)
    assert [mail.to for mail in mailoutbox] == [["jo@example.com"]]


@pytest.mark.django_db
def test_no_reply_goes_out_when_the_account_has_no_verified_address(
    shopper_client, shopper, mailoutbox, django_capture_on_commit_callbacks
):
    shopper_client.post(reverse("shop:contact"), MESSAGE)
    ticket = SupportTicket.objects.get()
    shopper.emailaddress_set.update(verified=False)
    ticket.email = "changed-by-someone@example.net"  # whatever the row says, the account decides
    ticket.save()
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_to_ticket(ticket=ticket, body="Hello", author=None)
    assert mailoutbox == []
    reply.refresh_from_db()
    assert reply.sent_at is None
