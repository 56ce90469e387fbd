"""What the shop contributes to the privacy center: export sections (orders with lines and shipments, support
tickets, contest entries), the eraser (orders kept for the retention period with the person's details
replaced, tickets and contest entries deleted) and its leftover check (registered in ShopConfig.ready)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from privacy.data_rights import Person, account_of, any_email_of, erased_email

from .models import ContestEntry, Order, SupportTicket

ERASED_NAME = "Erased customer"
ERASED_ADDRESS = {"full_name": ERASED_NAME, "lines": [], "phone": ""}


def export_orders(user: User) -> list[dict]:
    orders = Order.objects.filter(user=user).prefetch_related("lines", "shipments").order_by("placed_at", "id")
    return [
        {
            "number": order.number,
            "placed_at": order.placed_at,
            "status": order.status,
            "email": order.email,
            "currency": order.currency,
            "subtotal": order.subtotal,
            "shipping_cost": order.shipping_cost,
            "total": order.total,
            "shipping_address": order.shipping_address,
            "billing_address": order.billing_address,
            "carrier": order.carrier,
            "paid_with": f"{order.card_brand} ending {order.card_last4}".strip(),
            "lines": [
                {
                    "product": line.product_name,
                    "style": line.style_name,
                    "unit_price": line.unit_price,
                    "quantity": line.quantity,
                    "line_total": line.line_total,
                }
                for line in order.lines.all()
            ],
            "shipments": [
                {"carrier": s.carrier, "tracking_number": s.tracking_number, "shipped_at": s.shipped_at}
                for s in order.shipments.all()
            ],
        }
        for order in orders
    ]


def _tickets_of(user: User | Person):
    """The person's tickets; for a guest Person those written without an account under its address."""
    account = account_of(user)
    if account is None:
        return SupportTicket.objects.filter(any_email_of(user), user__isnull=True)
    return SupportTicket.objects.filter(Q(user=account) | any_email_of(user))


def export_tickets(user: User | Person) -> list[dict]:
    return [
        {
            "created_at": t.created_at,
            "name": t.name,
            "email": t.email,
            "order_number": t.order_number,
            "subject": t.subject,
            "message": t.message,
            "status": t.status,
            "replies": [{"sent_at": r.sent_at, "body": r.body} for r in t.replies.all()],
        }
        for t in _tickets_of(user).prefetch_related("replies").order_by("created_at", "id")
    ]


def export_contest_entries(user: User | Person) -> list[dict]:
    return [
        {
            "contest": e.contest.title,
            "first_name": e.first_name,
            "city": e.city,
            "email": e.email,
            "list_publicly": e.list_publicly,
            "is_winner": e.is_winner,
            "created_at": e.created_at,
        }
        for e in ContestEntry.objects.filter(any_email_of(user)).select_related("contest").order_by("id")
    ]


def contest_entries_section(user: User) -> list[dict]:
    """ "What we hold about you": the contests the person entered under any of their addresses."""
    return [
        {
            _("Contest"): entry["contest"],
            _("Name given"): entry["first_name"],
            _("City"): entry["city"],
            _("Listed publicly if a winner"): entry["list_publicly"],
            _("Winner"): entry["is_winner"],
        }
        for entry in export_contest_entries(user)
    ]


def erase_shop_data(user: User | Person, *, retention: datetime.timedelta) -> dict:
    """Orders placed within the retention period are kept for the accounts, with the name, email, phone and
    addresses replaced; older ones are deleted. Support tickets (with replies) and contest entries are deleted.
    A guest Person has no orders (every order belongs to an account): only its tickets and entries go."""
    old = kept = 0
    account = account_of(user)
    if account is not None:
        cutoff = timezone.now() - retention
        old = Order.objects.filter(user=account, placed_at__lt=cutoff).delete()[0]
        kept = Order.objects.filter(user=account).update(
            email=erased_email(account.pk), shipping_address=ERASED_ADDRESS, billing_address=ERASED_ADDRESS
        )
    tickets = _tickets_of(user).delete()[0]
    entries = ContestEntry.objects.filter(any_email_of(user)).delete()[0]
    return {
        "orders_kept_anonymised": kept,
        "rows_deleted_with_old_orders": old,
        "tickets_deleted": tickets,
        "contest_rows_deleted": entries,
    }


def shop_leftover(user: User) -> int:
    clear_orders = (
        Order.objects.filter(user=user)
        .exclude(email=erased_email(user.pk), shipping_address=ERASED_ADDRESS, billing_address=ERASED_ADDRESS)
        .count()
    )
    return clear_orders + SupportTicket.objects.filter(user=user).count()
