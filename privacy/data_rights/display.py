"""A data export as a page (the account's and the guest's): the JSON's values as nodes a template renders, dates
on the shop's clock in its one format, and the ledger's codes in words (privacy.wording). The JSON keeps the codes.

The page is in the reader's language: section titles come from the registry (lazy strings, rendered now), labels
from privacy's own words and those other apps register (registry.register_export_labels)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import registry, wording
from ..models import AccessLog, ConsentEvent, DataRequest, Disclosure


def display_tree(value: Any) -> dict:
    """An export value as nodes a template can render without type tests: text, a list of texts, or records
    (a list of [(label, node), ...]) for nested objects such as an order's lines."""
    if isinstance(value, dict):
        return {"kind": "records", "records": [_display_record(value)]}
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value) and value:
            return {"kind": "records", "records": [_display_record(item) for item in value]}
        return {"kind": "list", "items": [_text(item) for item in value]}
    return {"kind": "text", "text": _text(value)}


# privacy's own keys (the other apps register theirs); a key with no word reads as itself, capitalised.
_LABELS = {
    "ip_prefix": _("IP address (shortened)"),
    "user_agent": _("Browser"),
    "double_opt_in": _("Confirmed by email"),
    "when": _("When"),
    "purpose": _("Purpose"),
    "action": _("Action"),
    "value": _("Value"),
    "method": _("Method"),
    "policy_version": _("Policy version"),
    "language": _("Language of the policy text"),
    "recipient_kind": _("Recipient kind"),
    "recipient": _("Recipient"),
    "data_categories": _("Data categories"),
    "reference": _("Reference"),
    "legal_basis": _("Legal basis"),
    "event": _("Event"),
    "path": _("Path"),
    "status": _("Status"),
    "ip": _("IP address"),
    "kind": _("Kind"),
    "received_at": _("Received at"),
    "completed_at": _("Completed at"),
    "cookies_chosen_at": _("Cookies chosen at"),
    "preferences_cookies": _("Preferences cookies"),
    "analytics_cookies": _("Analytics cookies"),
    "advertising_cookies": _("Advertising cookies"),
    "ad_sharing_opted_out": _("Ad sharing opted out"),
    "gpc_recorded_at": _("Global Privacy Control signal first received"),
}


def _label(key: str) -> str:
    words = registry.export_labels().get(key) or _LABELS.get(key)
    return str(words) if words else str(key).replace("_", " ").capitalize()


def _display_record(item: dict) -> list[tuple[str, dict]]:
    return [(_label(label), display_tree(value)) for label, value in item.items()]


_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if isinstance(value, str) and (_ISO_DATETIME.match(value) or _ISO_DATE.match(value)):
        return _when(value)
    return str(value)


def _when(value: str) -> str:
    """An ISO date or datetime from the JSON, written the shop's one way, on the shop's clock."""
    try:
        if _ISO_DATE.match(value):
            return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def _consent_in_words(item: dict) -> dict:
    """A consent-history record for the page: the codes the JSON keeps, in words."""
    row = wording.describe_consents([_Event(item.get("purpose", ""), item.get("value", ""))])[0]
    labels = {"action": ConsentEvent.Action, "method": ConsentEvent.Method}
    words = {key: str(choices(item[key]).label) for key, choices in labels.items() if item.get(key) in choices.values}
    language = item.get("language")
    if language:
        words["language"] = _language_name(language)
    shown = {key: value for key, value in item.items() if key != "subject"}  # the ledger's internal key
    return {**shown, "purpose": row.what, "value": row.choice, **words}


def _language_name(code: str) -> str:
    from django.conf import settings
    from django.utils import translation

    if code not in dict(settings.LANGUAGES):
        return code
    return str(translation.get_language_info(code)["name_translated"])


def _codes_in_words(item: dict, labels: dict) -> dict:
    """Codes a section stores ("sign_in", "completed") as their choices' words."""
    words = {key: str(choices(item[key]).label) for key, choices in labels.items() if item.get(key) in choices.values}
    return {**item, **words}


def _disclosures_in_words(items: list[dict]) -> list[dict]:
    rows = wording.describe_disclosures([_Disclosure(item.get("reference", "")) for item in items])
    kinds = Disclosure.RecipientKind
    return [
        {
            **item,
            "reference": row.concerning,
            "recipient_kind": str(kinds(item["recipient_kind"]).label)
            if item.get("recipient_kind") in kinds.values
            else item.get("recipient_kind"),
        }
        for item, row in zip(items, rows, strict=True)
    ]


@dataclass(frozen=True)
class _Event:
    purpose: str
    value: str


@dataclass(frozen=True)
class _Disclosure:
    reference: str


def display_sections(payload: dict) -> list[dict]:
    """The export's sections for the page: the JSON's values, with dates and the ledger's codes in words."""
    titles = {exporter.key: exporter.title for exporter in registry.exporters()}
    sections = []
    for key, section in payload["sections"].items():
        items = section["items"]
        if key == "consent_history":
            items = [_consent_in_words(item) for item in items]
        elif key == "disclosures":
            items = _disclosures_in_words(items)
        elif key == "access_logs":
            items = [_codes_in_words(item, {"event": AccessLog.Event}) for item in items]
        elif key == "data_requests":
            items = [_codes_in_words(item, {"kind": DataRequest.Kind, "status": DataRequest.Status}) for item in items]
        title = str(titles.get(key) or section["title"])  # the reader's language, else the file's words
        sections.append({"key": key, "title": title, "records": [_display_record(i) for i in items]})
    return sections
