from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shop.payments import PaymentError, TestProcessor, looks_like_card_number

TEST_CARDS = ["4242424242424242", "4000000000000002", "5555555555554444", "378282246310005", "4111 1111 1111 1111"]


@pytest.mark.parametrize("card", TEST_CARDS)
def test_card_numbers_are_recognised_with_spaces_or_dashes(card):
    assert looks_like_card_number(card)
    assert looks_like_card_number(f"my card: {card.replace(' ', '-')} thanks")


@pytest.mark.parametrize("text", ["+33 6 12 34 56 78", "Order SPC-261125-1A2B3C", "4242", "1234567890123456", ""])
def test_ordinary_text_is_not_a_card_number(text):
    assert not looks_like_card_number(text)


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=200))
def test_text_without_digits_is_never_a_card_number(text):
    assert not looks_like_card_number(text)


def test_processor_authorises_tokens_only():
    processor = TestProcessor()
    auth = processor.authorize(token="tok_test_visa_4242_abcd1234", amount=Decimal("10.00"))
    assert (auth.card_brand, auth.card_last4) == ("Visa", "4242")
    assert auth.id.startswith("auth_test_")
    for token in ("4242424242424242", "tok_test_declined_abcd1234", "", "tok_live_visa_4242_abcd"):
        with pytest.raises(PaymentError):
            processor.authorize(token=token, amount=Decimal("10.00"))
