"""{{ amount|money }} and {{ amount|money:order.currency }}: an amount in the active language's format
(shop/money.py)."""

from django import template

from ..money import format_money

register = template.Library()


@register.filter
def money(amount, currency: str | None = None) -> str:
    return format_money(amount, currency or None)
