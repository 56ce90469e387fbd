import itertools
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reviews.scrubber import DetailKind, find_personal_details, mask_contact_details, personal_detail_kinds


def kinds(text: str) -> list[str]:
    return [finding.kind.name for finding in find_personal_details(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to me at jane.doe+shoes@example.co.uk if you want.", ["EMAIL"]),
        ("jane (at) example (dot) com", ["EMAIL"]),
        ("JANE@EXAMPLE.COM", ["EMAIL"]),
        ("Call 06 12 34 56 78 after six", ["PHONE"]),
        ("+44 (0)20 7946 0958.", ["PHONE"]),
        ("+1 415-555-0132", ["PHONE"]),
        ("tel:0612345678", ["PHONE"]),
        ("Call 06.12.34.56.78 or 07 98 76 54 32", ["PHONE", "PHONE"]),
        ("I live at 221b Baker Street, London", ["ADDRESS"]),
        ("Come by 12 rue de la Paix", ["ADDRESS"]),
        ("Hauptstraße 5, Berlin", ["ADDRESS"]),
        ("PO Box 123", ["ADDRESS"]),
        ("mail me: a@b.io, or ring +33 6 12 34 56 78", ["EMAIL", "PHONE"]),
    ],
)
def test_finds_personal_details(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Rated 5 out of 5, bought 3 pairs in 2024.",
        "I have worn them from 2019-2024 and since 2024-11-25 daily.",
        "Price was 129.99 euros, size 42, 1,000,000 stars.",
        "Used it 3 times the way I like. 10/10 would buy again.",
        "Fits EU 38-39, 24 cm insole.",
        "The @ sign on the box is cute",
    ],
)
def test_ordinary_review_text_is_left_alone(text):
    assert kinds(text) == []
    assert mask_contact_details(text) == text


def test_masks_emails_and_phones_but_keeps_addresses_and_the_rest():
    text = "Great boots! Mail jane@example.com or call 06 12 34 56 78. I live at 12 rue de la Paix."
    assert mask_contact_details(text) == (
        "Great boots! Mail [email removed] or call [phone removed]. I live at 12 rue de la Paix."
    )


def test_personal_detail_kinds_across_title_and_body_in_a_stable_order():
    assert personal_detail_kinds("Call 0612345678", "jane@example.com, 221b Baker Street") == [
        DetailKind.EMAIL,
        DetailKind.PHONE,
        DetailKind.ADDRESS,
    ]
    assert personal_detail_kinds("Nice", "Very nice") == []


# Words without digits, "@" or brackets: ordinary prose around the details under test.
words = st.text(alphabet=st.characters(categories=["L"], exclude_characters="@"), min_size=1, max_size=12)
prose = st.lists(words, max_size=8).map(" ".join)
separators = st.sampled_from([" ", ".", "-", ""])


@st.composite
def phone_numbers(draw) -> str:
    groups = draw(st.lists(st.text(alphabet="0123456789", min_size=2, max_size=4), min_size=3, max_size=5))
    digits = sum(len(group) for group in groups)
    assume(8 <= digits <= 12)
    number = draw(separators).join(groups)
    # what a date or a span of years looks like is deliberately not a phone number
    assume(not re.fullmatch(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d{4}-\d{4}", number))
    prefix = draw(st.sampled_from(["", "+33 ", "+1 ", "+44 ", "0033 "]))
    return prefix + number


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=prose, after=prose, email=st.emails())
def test_any_email_in_prose_is_found_and_masked(before, after, email):
    text = f"{before} {email} {after}"
    assert DetailKind.EMAIL in personal_detail_kinds(text)
    masked = mask_contact_details(text)
    assert "@" not in masked
    assert "[email removed]" in masked
    assert email.split("@")[1] not in masked


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(before=prose, after=prose, phone=phone_numbers())
def test_any_phone_number_in_prose_is_found_and_masked(before, after, phone):
    text = f"{before} {phone} {after}"
    assert DetailKind.PHONE in personal_detail_kinds(text)
    masked = mask_contact_details(text)
    assert not any(char.isdigit() for char in masked)
    assert masked.startswith(before)
    assert masked.endswith(after)


@settings(max_examples=150, deadline=None)
@given(text=prose)
def test_prose_without_contact_details_is_unchanged(text):
    assert mask_contact_details(text) == text


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_masking_is_idempotent_and_leaves_nothing_to_find(text):
    masked = mask_contact_details(text)
    assert mask_contact_details(masked) == masked
    assert not {DetailKind.EMAIL, DetailKind.PHONE} & set(personal_detail_kinds(masked))
    findings = find_personal_details(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))
