"""The test payment processor. It works on tokens only, like a real one: the browser turns the card into a token
(static/js/test-processor.js, or a test token picked without JavaScript) and our server never sees a card number.

A test token reads `tok_test_<brand>_<last4>_<random>`; `tok_test_declined_<random>` is always declined.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

TOKEN_RE = re.compile(
    r"^tok_test_(?:(?P<brand>visa|mastercard|amex)_(?P<last4>[0-9]{4})|(?P<declined>declined))_[A-Za-z0-9]{4,32}$"
)
CARD_NUMBER_RE = re.compile(r"(?:\d[ -]?){12,18}\d")
BRAND_NAMES = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express"}

# Offered on the checkout page when JavaScript is off (and used by tests): label -> token.
TEST_TOKENS = {
    "tok_test_visa_4242_nojs0001": _("Visa ending 4242 (test)"),
    "tok_test_mastercard_4444_nojs0002": _("Mastercard ending 4444 (test)"),
    "tok_test_declined_nojs0003": _("Declined card (test)"),
}


class PaymentError(Exception):
    """The payment could not be authorised; the message is safe to show the shopper."""


@dataclass(frozen=True)
class Authorization:
    id: str
    token: str
    card_brand: str
    card_last4: str


def looks_like_card_number(text: str) -> bool:
    """True when the text holds 13 to 19 digits (spaces or dashes allowed) that pass the Luhn check."""
    for match in CARD_NUMBER_RE.finditer(text or ""):
        digits = [int(c) for c in match.group() if c.isdigit()]
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return True
    return False


def _luhn_ok(digits: list[int]) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def is_test_token(token: str) -> bool:
    return bool(TOKEN_RE.match(token or ""))


class TestProcessor:
    """Authorises an amount against a token. Nothing leaves the machine; the decision is in the token."""

    name = "Test payment processor"

    def authorize(self, *, token: str, amount: Decimal, currency: str = "EUR") -> Authorization:
        match = TOKEN_RE.match(token or "")
        if match is None:
            raise PaymentError(_("The payment details were not accepted. Please choose a card again."))
        if match.group("declined"):
            raise PaymentError(_("Your card was declined. Nothing was charged; please use another card."))
        if amount <= 0:
            raise PaymentError(_("There is nothing to pay."))
        return Authorization(
            id=f"auth_test_{secrets.token_hex(8)}",
            token=token,
            card_brand=BRAND_NAMES[match.group("brand")],
            card_last4=match.group("last4"),
        )


def get_processor() -> TestProcessor:
    return TestProcessor()
