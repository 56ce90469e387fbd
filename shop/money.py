"""One way to show an amount of money, on pages and in emails: Babel's currency format for the active language.

`format_money(Decimal("1234.5"))` reads "€1,234.50" in English, "1 234,50 €" in French and "1.234,50 €" in German
(Babel's spacing: a narrow no-break space groups French thousands and a no-break space precedes the sign). The
currency is the amount's own (an order keeps the one it was placed in), else SHOP_CURRENCY.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from django.utils.translation import get_language, to_locale

from .app_settings import app_settings


def format_money(amount: Decimal | int | float | str | None, currency: str | None = None) -> str:
    if amount is None or amount == "":
        return ""
    locale = to_locale(get_language() or "en")
    return format_currency(Decimal(str(amount)), currency or app_settings.CURRENCY, locale=locale)
