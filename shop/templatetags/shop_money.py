"""{{ amount|money }} and {{ amount|money:order.currency }}: an amount in the active language's format
(shop/money.py)."""

from decimal import InvalidOperation

from django import template

from ..money import format_money

register = template.Library()


@register.filter
def money(amount, currency: str | None = None) -> str:
    """Like Django's own number filters, a value that is not a number renders as nothing rather than an error."""
    try:
        return format_money(amount, currency or None)
    except (InvalidOperation, TypeError, ValueError):
        return ""
