"""Customer service: tickets from the contact form, staff replies sent as transactional mail."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import emails, selectors
from ..models import SupportReply, SupportTicket

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def open_ticket(
    *,
    name: str,
    email: str,
    subject: str,
    message: str,
    order_number: str = "",
    user: User | None = None,
    language: str = "",
) -> SupportTicket:
    """A signed-in shopper's ticket carries the account's address, whatever was typed in the form: replies may tell
        about the account and its orders, so they go to its owner (see selectors.support_reply_recipient). `language` is
    the contact page's (the server's): replies are written in it."""
    owner = user if user is not None and user.is_authenticated else None
    return SupportTicket.objects.create(
        user=owner,
        name=name,
        email=owner.email if owner is not None else email,
        subject=subject,
        message=message,
        order_number=order_number,
        language=language if language in dict(settings.LANGUAGES) else "",
    )


def reply_to_ticket(*, ticket: SupportTicket, body: str, author: User | None) -> SupportReply:
    """Keep the reply on the ticket and send it as transactional mail after commit."""
    body = (body or "").strip()
    if not body:
        raise ValueError(_("A reply needs some text."))
    with transaction.atomic():
        reply = SupportReply.objects.create(ticket=ticket, body=body, author=author)
        SupportTicket.objects.filter(pk=ticket.pk).update(status=SupportTicket.Status.ANSWERED)
        from ..tasks import send_support_reply

        transaction.on_commit(lambda: send_support_reply.delay(reply.pk), robust=True)
    ticket.status = SupportTicket.Status.ANSWERED
    return reply


def deliver_support_reply(*, reply_id: int) -> bool:
    with transaction.atomic():
        reply = (
            SupportReply.objects.select_for_update(of=("self",)).select_related("ticket").filter(pk=reply_id).first()
        )
        if reply is None or reply.sent_at is not None:
            return False
        recipient = selectors.support_reply_recipient(reply.ticket)
        if recipient is None:
            logger.warning("Support reply %s not sent: the ticket's account has no verified address", reply.pk)
            return False
        emails.send_support_reply(reply, to=recipient)
        reply.sent_at = timezone.now()
        reply.save(update_fields=["sent_at"])
    return True
