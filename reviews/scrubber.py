"""Find and mask personal details in a review's free text.

Three kinds are *found* (to warn the writer before submitting): email addresses, phone numbers and street
addresses. Two are *masked* on publishing: email addresses and phone numbers, which identify and reach a
person on their own. Street addresses are only warned about: the patterns for them are looser, and masking
"12 Days Street" out of a sentence would do more harm than good.

The patterns err towards finding: a false warning costs the writer one click ("submit anyway"), a missed
email address costs their privacy.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class DetailKind(StrEnum):
    EMAIL = "an email address"
    PHONE = "a phone number"
    ADDRESS = "a street address"


# What the review form's warning calls each kind, in the reader's language.
DETAIL_WORDS = {
    DetailKind.EMAIL: _("an email address"),
    DetailKind.PHONE: _("a phone number"),
    DetailKind.ADDRESS: _("a street address"),
}


@dataclass(frozen=True)
class Finding:
    kind: DetailKind
    start: int
    end: int


MASKS = {DetailKind.EMAIL: "[email removed]", DetailKind.PHONE: "[phone removed]"}

# Every pattern here runs in linear time: a match may start only where a run of its characters starts (the
# lookbehinds), and a phone candidate is at most _MAX_RUN characters, so no input makes the engine retry the same
# characters from every position. Callers pass at most the form fields' max_length (5,000 characters).
_EMAIL = re.compile(
    r"""
    (?<![\w.!#$%&'*+/=?^`{|}~-])                # start where the local part starts, never inside it
    [\w.!#$%&'*+/=?^`{|}~-]+                    # local part (RFC 5322 atext)
    (?: \s*@\s* | \s*[\[({]\s*at\s*[\])}]\s* )  # "@" or an obfuscated "(at)"
    [\w-]+                                      # domain label
    (?: (?: \. | \s*[\[({]\s*dot\s*[\])}]\s* ) [\w-]+ )+
    """,
    re.VERBOSE | re.IGNORECASE,
)

# A run of digits with the separators people write phone numbers with; checked further in _is_phone().
_MAX_RUN = 64  # two numbers side by side ("06 12 34 56 78 07 98 76 54 32") fit with room to spare
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w/.-])(?:\+|\(\+?)?\d[\d \t().\-/]{5,%d}\d\)?(?![\w/-]|[.,]\d)" % (_MAX_RUN - 4)  # noqa: UP031
)
_MIN_PHONE_DIGITS = 8  # the shortest national numbers (Denmark, Norway) have eight digits
_MAX_PHONE_DIGITS = 15  # E.164
_NOT_PHONES = [
    re.compile(r"\d{4}\s?[-/\u2013]\s?\d{4}"),  # a span of years: 2019-2024
    re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}"),  # an ISO date
    re.compile(r"\d{1,2}[-./]\d{1,2}[-./]\d{2,4}"),  # a day-month-year date
]

_STREET_WORDS_EN = (
    r"street|st|road|rd|avenue|ave|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|square|sq|terrace"
    r"|close|crescent|gardens|row|parkway|highway|hwy"
)
_STREET_WORDS_FR = r"rue|avenue|av|boulevard|bd|chemin|all[ée]e|impasse|place|quai|route|cours|faubourg"
_STREET_WORDS_DE = r"stra(?:ß|ss)e|str\.|gasse|weg|platz|allee|laan|straat|gracht"
_ADDRESS = re.compile(
    rf"""
    \b\d{{1,5}}[a-z]?,?\s+(?:[A-Z][\w'\u2019.-]*\s+){{0,3}}(?i:{_STREET_WORDS_EN})\b      # 221b Baker Street
    | \b\d{{1,4}}(?:\s?(?i:bis|ter))?,?\s+(?i:{_STREET_WORDS_FR})\b\.?(?:\s+[\w'\u2019-]+){{1,4}}  # 12 rue de la Paix
    | \b[A-ZÄÖÜ][\wäöüß-]*(?:{_STREET_WORDS_DE})\s+\d{{1,4}}[a-z]?\b                  # Hauptstraße 5
    | \b(?i:p\.?\s?o\.?\s+box)\s+\d+                                                   # PO Box 12
    """,
    re.VERBOSE,
)


def _is_phone(candidate: str) -> bool:
    digits = sum(char.isdigit() for char in candidate)
    # "0033 6 12 34 56 78": the international prefix "00" (a spelled-out "+") is not part of the E.164 number
    longest = _MAX_PHONE_DIGITS + (2 if re.match(r"00\s?[1-9]", candidate) else 0)
    if not _MIN_PHONE_DIGITS <= digits <= longest:
        return False
    if re.search(r"\s{2,}|[.\-/]{2,}", candidate):
        return False
    return not _is_date(candidate)


def _is_date(candidate: str) -> bool:
    """A span of years or a date (never more than eight digits): not a phone number."""
    return any(pattern.fullmatch(candidate.strip("()+ ")) for pattern in _NOT_PHONES)


def find_personal_details(text: str) -> list[Finding]:
    """Every email address, phone number and street address in `text`, in order, without overlaps."""
    findings = [Finding(DetailKind.EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(text)]
    taken = sorted((f.start, f.end) for f in findings)  # non-overlapping spans, kept sorted

    def take(start: int, end: int) -> bool:
        """Claim the span unless it overlaps one already taken (a binary search: no quadratic rescans)."""
        index = bisect.bisect_left(taken, (start, end))
        if (index and taken[index - 1][1] > start) or (index < len(taken) and taken[index][0] < end):
            return False
        taken.insert(index, (start, end))
        return True

    for match in _PHONE_CANDIDATE.finditer(text):
        for start, end in _phones_in(match[0]):
            if take(match.start() + start, match.start() + end):
                findings.append(Finding(DetailKind.PHONE, match.start() + start, match.start() + end))
    for match in _ADDRESS.finditer(text):
        if take(match.start(), match.end()):
            findings.append(Finding(DetailKind.ADDRESS, match.start(), match.end()))
    return sorted(findings, key=lambda f: f.start)


def _phones_in(candidate: str) -> list[tuple[int, int]]:
    """Spans of phone numbers in a run of digits and separators, covering as many of its digits as possible.

    A run may hold two numbers side by side ("06 12 34 56 78 07 98 76 54 32"), or a number and a date. Each span
    is checked with _is_phone's rules in constant time (digit counts and doubled separators are prefix sums), and
    a span stops growing past the longest number, so a run costs O(tokens x _MAX_PHONE_DIGITS).
    """
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", candidate)]  # at most _MAX_RUN / 2 of them
    digits_before = [0]
    doubled_before = [0]  # a doubled separator ("  ", "--", "./") at this index: never inside a phone number
    for index, char in enumerate(candidate):
        digits_before.append(digits_before[-1] + char.isdigit())
        pair = candidate[index : index + 2]
        doubled_before.append(doubled_before[-1] + (len(pair) == 2 and (pair.isspace() or set(pair) <= set(".-/"))))
    # best[i]: (digits covered, -number of spans, this span or None, index of the next choice) for tokens[i:]
    best: list[tuple[int, int, tuple[int, int] | None, int]] = [(0, 0, None, len(tokens))] * (len(tokens) + 1)
    for i in range(len(tokens) - 1, -1, -1):
        start = tokens[i][0]
        longest = _MAX_PHONE_DIGITS + (2 if re.match(r"00\s?[1-9]", candidate[start:]) else 0)
        choice = (best[i + 1][0], best[i + 1][1], None, i + 1)
        for j in range(i + 1, len(tokens) + 1):
            end = tokens[j - 1][1]
            digits = digits_before[end] - digits_before[start]
            if digits > longest or doubled_before[max(end - 1, start)] > doubled_before[start]:
                break  # a longer span only gets worse
            if digits < _MIN_PHONE_DIGITS or (digits <= 8 and _is_date(candidate[start:end])):
                continue  # (_is_phone's rules, the others already checked above)
            covered, count = best[j][0] + digits, best[j][1] - 1
            if (covered, count) > choice[:2]:
                choice = (covered, count, (start, end), j)
        best[i] = choice
    spans, i = [], 0
    while i < len(tokens):
        _covered, _count, span, i = best[i]
        if span is not None:
            spans.append(span)
    return spans


def personal_detail_kinds(*texts: str) -> list[DetailKind]:
    """The kinds of personal detail found in any of `texts`, each once, in a stable order."""
    found = {finding.kind for text in texts for finding in find_personal_details(text)}
    return [kind for kind in DetailKind if kind in found]


def mask_contact_details(text: str) -> str:
    """`text` with every email address and phone number replaced by a marker; everything else untouched."""
    parts, position = [], 0
    for finding in find_personal_details(text):
        if finding.kind in MASKS:
            parts += [text[position : finding.start], MASKS[finding.kind]]
            position = finding.end
    parts.append(text[position:])
    return "".join(parts)
