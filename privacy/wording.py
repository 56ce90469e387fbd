"""The consent history and the disclosure log in plain words, for the pages people read (the dashboard, the
export page). The ledger itself keeps its codes: they are the record, and the JSON export carries them as stored.

Privacy words its own codes (cookies, ad sharing, Global Privacy Control); the apps above register theirs
(privacy.registry.register_consent_words / register_reference_words), so privacy never imports them.

Words come out in the reader's language: privacy's own are marked for translation, and whatever a registered
function returns (a str, or a lazy string from gettext_lazy) is turned into text here, in the active language.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import registry
from .cookies import CATEGORY_WORDS

# privacy's own purposes and values
_PURPOSES = {
    "ad_sharing": _("Sharing with our advertising partner"),
    "marketing:all": _("All marketing email"),
    "policy": _("Policy"),  # app_settings.POLICY_PURPOSE: the policy acknowledged
    "erasure": _("Erasure"),  # app_settings.ERASURE_PURPOSE
}
_HIDDEN_VALUES = {"on", "off", "share", "do_not_share"}  # the action (Granted / Withdrawn) already says it
_VALUES = {"Sec-GPC: 1": _("Global Privacy Control signal from your browser"), "erased": _("erased")}


def _text(words) -> str | None:
    """A registered word (str or lazy string) as text in the active language; None stays None."""
    return None if words is None else str(words)


def _default_what(purpose: str) -> str:
    if purpose in _PURPOSES:
        return str(_PURPOSES[purpose])
    kind, _sep, detail = purpose.partition(":")
    if kind == "cookies" and detail in CATEGORY_WORDS:
        return str(CATEGORY_WORDS[detail]["caption"])
    if kind == "cookies" and detail:
        return f"{detail.capitalize()} cookies"
    return purpose.replace("_", " ").replace(":", ": ").capitalize()


def _default_choice(value: str) -> str:
    if value in _HIDDEN_VALUES:
        return ""
    if value in _VALUES:
        return str(_VALUES[value])
    return value.replace("_", " ")


def read_in(language: str) -> str:
    """ "read in French": the language of the policy text a person saw, when it is not the page's."""
    if not language or language not in dict(settings.LANGUAGES) or language == translation.get_language():
        return ""
    name = translation.get_language_info(language)["name_translated"]
    return gettext("read in %(language)s") % {"language": name}


@dataclass(frozen=True)
class ConsentRow:
    event: object
    what: str
    choice: str  # the value in words, "" when the action says it all
    read_in: str = ""  # "read in French": the policy text's language, when it is not the page's


def describe_consents(events) -> list[ConsentRow]:
    """One ConsentRow per event, in order; each registered app is asked once for all of its events."""
    events = list(events)
    words: dict[int, tuple[str | None, str | None]] = {}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for index, event in enumerate(events):
        by_kind[event.purpose.partition(":")[0]].append(index)
    for kind, fn in registry.consent_words().items():
        indexes = by_kind.get(kind, [])
        if indexes:
            pairs = [(events[i].purpose.partition(":")[2], events[i].value or "") for i in indexes]
            answers = [(_text(what), _text(choice)) for what, choice in fn(pairs)]
            words.update(zip(indexes, answers, strict=True))
    rows = []
    for index, event in enumerate(events):
        what, choice = words.get(index, (None, None))
        rows.append(
            ConsentRow(
                event=event,
                what=what if what is not None else _default_what(event.purpose),
                choice=choice if choice is not None else _default_choice(event.value or ""),
                read_in=read_in(getattr(event, "language", "")),
            )
        )
    return rows


def consent_purpose(purpose: str) -> str:
    """One purpose in words (the cookie page, the admin): "cookies:analytics" -> "Analytics cookies"."""
    return describe_consents([_Purpose(purpose)])[0].what


@dataclass(frozen=True)
class _Purpose:
    purpose: str
    value: str = ""


@dataclass(frozen=True)
class DisclosureRow:
    disclosure: object
    concerning: str


def describe_disclosures(disclosures) -> list[DisclosureRow]:
    """The disclosure log with references in words ("order:42" -> "Order SPC-261129-A246D5")."""
    disclosures = list(disclosures)
    ids_by_kind: dict[str, set[str]] = defaultdict(set)
    for disclosure in disclosures:
        kind, _, ident = (disclosure.reference or "").partition(":")
        if ident:
            ids_by_kind[kind].add(ident)
    names: dict[str, str] = {}
    for kind, fn in registry.reference_words().items():
        if ids_by_kind.get(kind):
            names.update({f"{kind}:{ident}": str(text) for ident, text in fn(sorted(ids_by_kind[kind])).items()})
    return [DisclosureRow(disclosure=d, concerning=names.get(d.reference, d.reference)) for d in disclosures]
