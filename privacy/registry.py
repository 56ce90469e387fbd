"""Hooks the apps above privacy fill in their AppConfig.ready(), so privacy never imports them.

- register_data_section(key, title, fn): a "what we hold about you" section on the privacy dashboard;
  fn(user) returns a list of dicts (label -> value), one per item.
- models=("app.Model", ...) on register_data_section, register_exporter and register_eraser: which models the
  section, exporter or eraser covers. tests/privacy/test_registry_completeness.py fails when a model holding
  personal data is covered by no exporter, eraser or section (and is not in its documented allow-list).
- register_ad_feed_exclusion(fn): fn() returns a Q on the user model for accounts that must never be in the
  ad-partner feed (accounts registers minors, for instance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class DataSection:
    key: str
    title: str
    fn: Callable[[Any], list[dict]]
    models: tuple[str, ...] = ()


_data_sections: dict[str, DataSection] = {}
_ad_feed_exclusions: list[tuple[Callable[[], Q], str]] = []


def register_data_section(
    key: str, title: str, fn: Callable[[Any], list[dict]], *, models: tuple[str, ...] = ()
) -> None:
    """Add (or replace, by key) a section; registering twice under one key is idempotent."""
    _data_sections[key] = DataSection(key=key, title=title, fn=fn, models=tuple(models))


def data_sections() -> list[DataSection]:
    return list(_data_sections.values())


def unregister_data_section(key: str) -> None:
    _data_sections.pop(key, None)


def register_ad_feed_exclusion(fn: Callable[[], Q], *, reason: str = "excluded") -> None:
    """fn() returns a Q (or a conditional expression) on the user model for accounts that must never be in the
    ad-partner feed; `reason` is the key the ad-sharing page explains it with (e.g. "under_18")."""
    if all(existing is not fn for existing, _ in _ad_feed_exclusions):
        _ad_feed_exclusions.append((fn, reason))


def ad_feed_exclusions() -> list[Callable[[], Q]]:
    return [fn for fn, _ in _ad_feed_exclusions]


def unregister_ad_feed_exclusion(fn: Callable[[], Q]) -> None:
    _ad_feed_exclusions[:] = [(f, r) for f, r in _ad_feed_exclusions if f is not fn]


def ad_feed_exclusion_reasons() -> list[tuple[str, Callable[[], Q]]]:
    return [(reason, fn) for fn, reason in _ad_feed_exclusions]


@dataclass(frozen=True)
class AdFeedColumn:
    name: str
    data_category: str
    values: Callable[[list[int]], dict[int, str]]


_ad_feed_columns: dict[str, AdFeedColumn] = {}


def register_ad_feed_column(name: str, data_category: str, values: Callable[[list[int]], dict[int, str]]) -> None:
    """Add a coarse, non-identifying column to the ad-partner feed. `values(user_ids)` answers for a chunk of
    people at once (one query per chunk); `data_category` names what the partner receives, in every Disclosure."""
    _ad_feed_columns[name] = AdFeedColumn(name=name, data_category=data_category, values=values)


def ad_feed_columns() -> list[AdFeedColumn]:
    return list(_ad_feed_columns.values())


# Data rights: export, erasure, audit --------------------------------------------------------------------------
#
# - register_exporter(key, title, fn): fn(user) returns a list of dicts (or one dict) of everything the app
#   holds about the person; the export (JSON and HTML) has one section per key.
# - register_eraser(key, fn, leftover=None, runs_last=False): fn(user, *, retention) erases or anonymises the
#   app's data about the person inside erase_person's transaction and returns a summary dict (counts).
#   `retention` is the period records the law makes us keep are kept (orders). `leftover(user)` returns how
#   many of the app's rows still hold the erased person's data in clear (for privacy_audit); `runs_last` is
#   for the eraser of the user row itself, which the others may still need (its email) while they run.
# - register_audit_check(key, description, fn): fn() returns (count, example ids) of live data that breaks
#   the policy; privacy_audit prints each finding.
# - guest=True (exporters and erasers): fn also accepts a privacy.data_rights.Person with no account (a guest known
#   by an address only) and then finds rows by that address alone, never an account's rows; the guest request page
#   (/privacy/request/) and a staff request made with an email address run only these.
# - register_transactional_sender(fn): how privacy sends its service mail (subscriptions registers
#   send_transactional, the one way out for such mail).


@dataclass(frozen=True)
class Exporter:
    key: str
    title: str
    fn: Callable[[Any], list[dict] | dict]
    guest: bool = False
    models: tuple[str, ...] = ()


@dataclass(frozen=True)
class Eraser:
    key: str
    fn: Callable[..., dict]
    leftover: Callable[[Any], int] | None = None
    runs_last: bool = False
    guest: bool = False
    models: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditCheck:
    key: str
    description: str
    fn: Callable[[], tuple[int, list]]


_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}
_audit_checks: dict[str, AuditCheck] = {}
_transactional_sender: list[Callable[..., Any]] = []


def register_exporter(
    key: str,
    title: str,
    fn: Callable[[Any], list[dict] | dict],
    *,
    guest: bool = False,
    models: tuple[str, ...] = (),
) -> None:
    _exporters[key] = Exporter(key=key, title=title, fn=fn, guest=guest, models=tuple(models))


def exporters(*, guest: bool = False) -> list[Exporter]:
    """Every exporter; with guest=True only those that also answer for a guest Person."""
    return [e for e in _exporters.values() if e.guest or not guest]


def register_eraser(
    key: str,
    fn: Callable[..., dict],
    *,
    leftover: Callable[[Any], int] | None = None,
    runs_last: bool = False,
    guest: bool = False,
    models: tuple[str, ...] = (),
) -> None:
    _erasers[key] = Eraser(key=key, fn=fn, leftover=leftover, runs_last=runs_last, guest=guest, models=tuple(models))


def erasers(*, guest: bool = False) -> list[Eraser]:
    """In the order they run: registration order, with the `runs_last` ones (the user row) at the end; with
    guest=True only those that also erase for a guest Person."""
    values = [e for e in _erasers.values() if e.guest or not guest]
    return [e for e in values if not e.runs_last] + [e for e in values if e.runs_last]


def register_audit_check(key: str, description: str, fn: Callable[[], tuple[int, list]]) -> None:
    _audit_checks[key] = AuditCheck(key=key, description=description, fn=fn)


def audit_checks() -> list[AuditCheck]:
    return list(_audit_checks.values())


def register_transactional_sender(fn: Callable[..., Any]) -> None:
    _transactional_sender[:] = [fn]


def transactional_sender() -> Callable[..., Any] | None:
    return _transactional_sender[0] if _transactional_sender else None


# Every address of a person ---------------------------------------------------------------------------------------
#
# - register_person_emails(fn): fn(user) returns addresses the account holds or once held and proved (accounts
#   registers its confirmed addresses, current and past). Exporters and erasers that find rows by address use
#   privacy.data_rights.person_emails(user), so a changed address never hides the person's older data.

_person_emails: list[Callable[[Any], Any]] = []


def register_person_emails(fn: Callable[[Any], Any]) -> None:
    if fn not in _person_emails:
        _person_emails.append(fn)


def person_email_providers() -> list[Callable[[Any], Any]]:
    return list(_person_emails)


# - register_erased_address_matcher(fn): fn(addresses) returns those that belong to an erased person and are not in
#   use again (subscriptions answers from the suppression list's keyed hashes). privacy_audit's leftover scan asks it.

_erased_address_matchers: list[Callable[[list[str]], set[str]]] = []


def register_erased_address_matcher(fn: Callable[[list[str]], set[str]]) -> None:
    if fn not in _erased_address_matchers:
        _erased_address_matchers.append(fn)


def erased_address_matchers() -> list[Callable[[list[str]], set[str]]]:
    return list(_erased_address_matchers)


# - register_account_finder(fn): fn(email) returns the account that holds or once proved the address, or None
#   (accounts registers its confirmed addresses). The guest request page sends such a person to their account.

_account_finders: list[Callable[[str], Any]] = []


def register_account_finder(fn: Callable[[str], Any]) -> None:
    if fn not in _account_finders:
        _account_finders.append(fn)


def account_finders() -> list[Callable[[str], Any]]:
    return list(_account_finders)


# - register_necessary_cookie(name, purpose, lifetime): a strictly necessary cookie another app sets (accounts' age
#   screen), listed on the cookie settings page with the ones privacy sets itself.
_necessary_cookies: dict[str, tuple[str, str]] = {}


def register_necessary_cookie(name: str, purpose: str, lifetime: str) -> None:
    _necessary_cookies[name] = (purpose, lifetime)


def necessary_cookies() -> list[tuple[str, str, str]]:
    return [(name, purpose, lifetime) for name, (purpose, lifetime) in _necessary_cookies.items()]


# Plain words for the ledger ------------------------------------------------------------------------------------
# The consent history and the disclosure log store codes ("topic:newsletter", "twice_weekly", "order:42"); the
# pages a person reads show words. The app that owns a code says what it means (privacy.wording puts them together).

ConsentWords = Callable[[list[tuple[str, str]]], list[tuple[str | None, str | None]]]
_consent_words: dict[str, ConsentWords] = {}
_reference_words: dict[str, Callable[[list[str]], dict[str, str]]] = {}


def register_consent_words(kind: str, fn: ConsentWords) -> None:
    """fn([(detail, value), ...]) -> [(what, choice), ...] for ConsentEvents whose purpose is "<kind>:<detail>"
    (or just "<kind>"): `what` was consented to, `choice` the value in words; None keeps privacy's default,
    "" hides the value. One call per page, so fn can read what it needs in one query."""
    _consent_words[kind] = fn


def consent_words() -> dict[str, ConsentWords]:
    return dict(_consent_words)


def register_reference_words(kind: str, fn: Callable[[list[str]], dict[str, str]]) -> None:
    """fn(["42", ...]) -> {"42": "Order SPC-261129-A246D5"} for Disclosure references "<kind>:<id>"."""
    _reference_words[kind] = fn


def reference_words() -> dict[str, Callable[[list[str]], dict[str, str]]]:
    return dict(_reference_words)


# Languages ------------------------------------------------------------------------------------------------------
# Every title, description and word given to this registry may be a lazy string (gettext_lazy): privacy turns it
# into text when a page or an email is rendered, in the reader's language (the active one).
# - register_export_labels({key: label}): the words for an app's export keys on the export page ("placed_at" ->
#   _("Placed")); a key without a label reads as itself, capitalised.

_export_labels: dict[str, Any] = {}


def register_export_labels(labels: dict[str, Any]) -> None:
    _export_labels.update(labels)


def export_labels() -> dict[str, Any]:
    return dict(_export_labels)
