"""Issue 16's CI check: the fr and de catalogues are complete, compiled, and hold every translatable string.

- no untranslated or fuzzy entry in any catalogue (a wrong or missing word on a privacy page is a wrong promise);
- every committed .mo says what its .po says (the demo and production read the .mo);
- `make messages` run on a copy of the project finds no string the catalogues lack;
- locale_overrides/ (third-party wording in the shop's register) only rewrites strings allauth still has, and no German
  string the shop shows says "du".
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import allauth
import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
# The same list as the Makefile's I18N_APPS: each app's strings go to its own locale/.
APPS = ["privacy", "subscriptions", "accounts", "shop", "reviews", "demo"]
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
SKIP_DIRS = {".venv", "var", "build", ".git", "node_modules", "__pycache__", ".pytest_cache", ".hypothesis"}
# Third-party wording rewritten in the shop's register (settings.LOCALE_PATHS, docs/i18n.md): hand-written, never
# touched by makemessages, and different from allauth's catalogue on purpose.
OVERRIDES = ROOT / "locale_overrides"
ALLAUTH_LOCALE = Path(allauth.__file__).resolve().parent / "locale"
# The informal German "du": its pronouns and verb forms, and the du-imperatives allauth uses without a pronoun ("Bitte
# versuche es später erneut", "Gib einen Wert ... an"), which count only after "bitte" or at a sentence's start (a
# capitalised noun is no imperative: "mit einem Klick", "zu viele Versuche"). Word boundaries: "Direkt", "Duplikat"
# are not "dir", "du".
DU_FORMS = re.compile(
    r"\b(du|dich|dir|dein\w*|hast|bist|kannst|musst|möchtest|willst|wirst|solltest|darfst|erhältst|siehst)\b"
    r"|(?:^|[.!?:]\s+|\bbitte\s+)(gib|lass|klicke?|versuche|wähle|bestätige|kontaktiere|melde|folge|erstelle|überprüfe)\b",
    re.IGNORECASE,
)


def project_catalogues(root: Path = ROOT) -> list[Path]:
    """The catalogues makemessages writes: the project's locale/ and each app's."""
    found = []
    for place in [root / "locale", *(root / app / "locale" for app in APPS)]:
        found += sorted(place.glob("*/LC_MESSAGES/django.po"))
    return found


def override_catalogues(root: Path = ROOT) -> list[Path]:
    return sorted((root / "locale_overrides").glob("*/LC_MESSAGES/django.po"))


def catalogues(root: Path = ROOT) -> list[Path]:
    """Every catalogue the project ships: each must be complete, not fuzzy, and compiled."""
    return project_catalogues(root) + override_catalogues(root)


def read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def plain(value):
    """A plural entry's id and strings are tuples in a .po and lists in a .mo (babel): compare them as tuples."""
    return tuple(value) if isinstance(value, list | tuple) else value


def keys(catalogue) -> set[tuple[object, str | None]]:
    return {(plain(m.id), m.context) for m in catalogue if m.id}


def test_every_language_but_the_default_has_catalogues():
    assert TRANSLATED == ["fr", "de"]
    languages = {path.parent.parent.name for path in catalogues()}
    assert languages == set(TRANSLATED)


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_compiled(path: Path):
    catalogue = read(path)
    language = path.parent.parent.name
    assert str(catalogue.locale) == language, f"{path}: the header's Language is {catalogue.locale}, not {language}"
    assert not catalogue.fuzzy, f"{path}: the header is marked fuzzy (msgfmt would drop its plural forms)"
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{path}:\n" + "\n".join(problems)

    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    with mo_path.open("rb") as handle:
        compiled = {(plain(m.id), m.context): plain(m.string) for m in read_mo(handle) if m.id}
    written = {(plain(m.id), m.context): plain(m.string) for m in catalogue if m.id}
    stale = sorted(str(k[0]) for k in written.keys() | compiled.keys() if written.get(k) != compiled.get(k))
    assert not stale, f"{mo_path} is older than its .po (run `make messages`): {stale[:5]}"


def _run_makemessages(root: Path) -> None:
    # -P: an app folder holds modules named like the standard library's (selectors.py), and cwd must not shadow it.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(root)}
    env.pop("DEMO", None)
    args = [sys.executable, "-P", "-m", "django", "makemessages", "--no-obsolete", "--add-location", "file"]
    args += [arg for code in TRANSLATED for arg in ("-l", code)]
    for app in APPS:
        (root / app / "locale").mkdir(exist_ok=True)
        subprocess.run(args, cwd=root / app, env=env, check=True, capture_output=True)  # noqa: S603 (our own command)
    ignore = [arg for name in [*APPS, *SKIP_DIRS, "tests", "benchmarks", "outbox"] for arg in ("-i", name)]
    subprocess.run(args + ignore, cwd=root, env=env, check=True, capture_output=True)  # noqa: S603


def test_makemessages_finds_nothing_new(tmp_path: Path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*SKIP_DIRS, "*.mo"))
    overrides_before = {
        p.relative_to(copy): p.read_bytes() for p in (copy / "locale_overrides").rglob("*") if p.is_file()
    }
    _run_makemessages(copy)
    overrides_after = {
        p.relative_to(copy): p.read_bytes() for p in (copy / "locale_overrides").rglob("*") if p.is_file()
    }
    assert overrides_after == overrides_before, "makemessages wrote into locale_overrides/ (keep locale/ first)"
    missing = []
    for path in project_catalogues(copy):
        original = ROOT / path.relative_to(copy)
        have = keys(read(original)) if original.exists() else set()
        missing += [f"{original.relative_to(ROOT)}: {msgid!r}" for msgid, _ in sorted(keys(read(path)) - have, key=str)]
    assert not missing, "strings missing from the catalogues (run `make messages`):\n" + "\n".join(missing[:40])


def test_a_plural_entry_reads_the_same_from_its_po_and_its_mo(tmp_path: Path):
    """The check itself: babel gives a plural's id and strings as tuples from a .po and as lists from a .mo."""
    import io

    from babel.messages.mofile import write_mo

    po = read_po(
        io.BytesIO(
            b'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
            b'msgid "one day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "un jour"\nmsgstr[1] "%(n)s jours"\n'
        )
    )
    with (tmp_path / "x.mo").open("wb") as handle:
        write_mo(handle, po)
    with (tmp_path / "x.mo").open("rb") as handle:
        mo = read_mo(handle)
    assert keys(po) == keys(mo) == {(("one day", "%(n)s days"), None)}
    assert [plain(m.string) for m in mo if m.id] == [("un jour", "%(n)s jours")]


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_string_has_one_translation_across_the_apps(language: str):
    """Django merges every catalogue into one: a msgid two apps translate differently gets one app's wording on the
    other's pages, silently. A string that must read differently gets a context (pgettext) instead."""
    seen: dict[tuple[object, str | None], tuple[object, str]] = {}
    clashes = []
    for path in project_catalogues():  # not locale_overrides/: it differs from allauth's catalogue on purpose
        if path.parent.parent.name != language:
            continue
        for message in read(path):
            if not message.id:
                continue
            key, string = (plain(message.id), message.context), plain(message.string)
            where = str(path.relative_to(ROOT)).split("/")[0]
            if key in seen and seen[key][0] != string:
                clashes.append(f"{key[0]!r}: {seen[key][1]} says {seen[key][0]!r}, {where} says {string!r}")
            seen.setdefault(key, (string, where))
    assert not clashes, "\n".join(clashes)


def allauth_catalogue(language: str):
    return read(ALLAUTH_LOCALE / language / "LC_MESSAGES" / "django.po")


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%(?:\(\w+\))?[sd]", text))


def test_the_overrides_are_in_locale_paths_after_the_projects_own_catalogue():
    """makemessages puts a file outside any `locale` folder into the first entry: that must stay locale/."""
    assert [Path(p) for p in settings.LOCALE_PATHS] == [ROOT / "locale", OVERRIDES]


@pytest.mark.parametrize("path", override_catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_override_rewrites_a_string_allauth_still_has(path: Path):
    """An allauth upgrade that rewords or drops a msgid would leave our override unused and the page informal again,
    silently: each override must match one of allauth's entries exactly (msgid, plural, context), keep its
    placeholders, and share its plural rule."""
    language = path.parent.parent.name
    ours, theirs = read(path), allauth_catalogue(language)
    assert ours.plural_forms == theirs.plural_forms
    upstream = {(plain(m.id), m.context): m for m in theirs if m.id}
    problems = []
    for message in ours:
        if not message.id:
            continue
        key = (plain(message.id), message.context)
        if key not in upstream:
            problems.append(f"not in allauth's {language} catalogue (reworded or removed upstream?): {key!r}")
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            if placeholders(string) not in [placeholders(i) for i in ids]:
                problems.append(f"placeholders differ from the msgid: {message.id!r} -> {string!r}")
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_the_german_overrides_hold_only_what_allauth_says_informally():
    """Only the entries allauth words with "du" belong here: anything else would hide allauth's own fixes."""
    upstream = {(plain(m.id), m.context): m for m in allauth_catalogue("de") if m.id}
    polite = []
    for message in read(OVERRIDES / "de" / "LC_MESSAGES" / "django.po"):
        theirs = upstream.get((plain(message.id), message.context))
        strings = theirs and (theirs.string if isinstance(theirs.string, tuple) else (theirs.string,))
        if message.id and theirs and not any(DU_FORMS.search(s) for s in strings):
            polite.append(message.id)
    assert not polite, "allauth no longer says 'du' here, drop the override:\n" + "\n".join(map(repr, polite))


def test_the_du_check_has_word_boundaries():
    assert DU_FORMS.search("Du hast noch kein Konto bei uns?")
    assert DU_FORMS.search("Bitte versuche es später erneut.")
    assert DU_FORMS.search("Gib einen Wert pro Zeile an")
    assert DU_FORMS.search("Lass Dir bitte eine neue Bestätigungs-Mail schicken")
    polite = ["Direkt zur Kasse", "Duplikat", "Hastig", "Abbestellen mit einem Klick", "Zu viele Versuche.", "In Folge"]
    polite += ["Ich bestätige, dass ich volljährig bin.", "Bitte versuchen Sie es später erneut."]
    for text in polite:
        assert not DU_FORMS.search(text), text


def test_no_german_string_the_shop_shows_says_du():
    """The shop says "Sie": its own German catalogues, and allauth's strings as the shop shows them (the overrides
    applied, through Django's real lookup)."""
    informal = []
    for path in catalogues():
        if path.parent.parent.name != "de":
            continue
        for message in read(path):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.id and any(DU_FORMS.search(s) for s in strings):
                informal.append(f"{path.relative_to(ROOT)}: {strings[0]!r}")
    with translation.override("de"):
        for message in allauth_catalogue("de"):
            if not message.id or message.fuzzy:
                continue
            if isinstance(message.id, tuple):
                shown = [
                    translation.npgettext(message.context, *message.id, n)
                    if message.context
                    else translation.ngettext(*message.id, n)
                    for n in (1, 2)
                ]
            else:
                shown = [
                    translation.pgettext(message.context, message.id)
                    if message.context
                    else translation.gettext(message.id)
                ]
            informal += [f"allauth: {message.id!r} is shown as {s!r}" for s in shown if DU_FORMS.search(s)]
    assert not informal, "German says 'du' (the shop says 'Sie'; see docs/i18n.md):\n" + "\n".join(informal)
