"""Is a page fully in one language? A reusable check for the browser tests of issue 16.

`english_left_on(page, "fr")` collects the page's visible text (document.body.innerText) and returns every English
source string (a msgid of any of the project's catalogues) that has a different translation in that language and
still appears on the page. Only strings of three words or more count, so that a product name or a word shared by
both languages ("Total", "Newsletter") gives no false alarm. A msgid with placeholders or markup is cut into its
literal pieces ("Thank you for your order <strong>%(number)s</strong>, placed on %(placed_at)s." gives "Thank you
for your order"); each piece of three words or more is looked for on its own.

    from tests.e2e.language_check import assert_fully_in

    assert_fully_in(page, "de")  # on a signup, preferences, unsubscribe or privacy page as well
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent.parent
MIN_WORDS = 3
# Placeholders (%(name)s, %s, %d, {{ var }}) and tags cut a msgid into the literal pieces a page shows as they are.
_CUTS = re.compile(r"%\([^)]*\)[sdif]|%[sdif]|\{\{.*?\}\}|<[^>]*>|%%")
_SPACE = re.compile(r"\s+")


def _normal(text: str) -> str:
    """One spelling of white space (no-break spaces included) and of typographic apostrophes."""
    return _SPACE.sub(" ", text.replace("\u2019", "'")).strip()


def catalogue_paths(language: str, root: Path = ROOT) -> list[Path]:
    """Every catalogue of `language` in the project: the root locale/ and each app's <app>/locale/."""
    paths = list(root.glob(f"locale/{language}/LC_MESSAGES/django.po"))
    paths += sorted(root.glob(f"*/locale/{language}/LC_MESSAGES/django.po"))
    return [p for p in paths if ".venv" not in p.parts]


_WORD = re.compile(r"[^\W\d_]+")


def _pieces(msgid: str) -> list[str]:
    """The literal pieces of a msgid with MIN_WORDS words (letters only: digits and punctuation are no words)."""
    pieces = (_normal(piece).strip(" .,:;") for piece in _CUTS.split(msgid))
    return [piece for piece in pieces if len(_WORD.findall(piece)) >= MIN_WORDS]


@cache
def english_phrases(language: str) -> frozenset[str]:
    """The English pieces (of MIN_WORDS words or more) whose translation into `language` differs from them."""
    phrases: set[str] = set()
    for path in catalogue_paths(language):
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, list | tuple) else (message.id,)
            strings = message.string if isinstance(message.string, list | tuple) else (message.string,)
            translated = " ".join(_normal(s) for s in strings if s)
            if not translated:
                continue  # not translated (yet): nothing to compare with
            for msgid in ids:
                if _normal(msgid) == translated:
                    continue
                phrases.update(piece for piece in _pieces(msgid) if piece not in translated)
    return frozenset(phrases)


def visible_text(page) -> str:
    return _normal(page.evaluate("document.body.innerText"))


def english_left_on(page, language: str) -> list[str]:
    """The English source strings still visible on the page (empty when the page is fully in `language`)."""
    text = visible_text(page)
    return sorted(phrase for phrase in english_phrases(language) if phrase in text)


def assert_fully_in(page, language: str) -> None:
    html_lang = page.evaluate("document.documentElement.lang")
    assert html_lang == language, f"{page.url} is marked lang={html_lang!r}, not {language!r}"
    left = english_left_on(page, language)
    assert not left, f"{page.url} is not fully in {language!r}; still in English: {left}"


def switch_language(page, option: str) -> None:
    """Use the header's switcher as a person does (at 390 px it sits behind the Menu button)."""
    toggle = page.locator("[data-nav-toggle]")
    if toggle.is_visible():
        toggle.click()
    page.locator("#language-switcher-select").select_option(label=option)
    page.locator("form.language-switcher button[type=submit]").click()
    page.wait_for_load_state()
