"""Issue 16: a person switches the shop to French, then German, with the header's switcher and signs up at a phone's
and a desktop's width: the age screen, the account form, the page that asks them to confirm their address, and the
confirmation email they receive, each fully in that language (tests/e2e/language_check.py); the account and its
newsletter address keep the language, so every later email follows it."""

import re

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from accounts.models import User
from subscriptions.models import Subscriber
from tests.e2e.language_check import assert_fully_in, english_phrases, switch_language
from tests.e2e.test_languages import WIDTHS

OPTIONS = {"fr": "Français", "de": "Deutsch"}


def words(language: str, text: str, context: str | None = None) -> str:
    """What the page says for `text` in `language`: the catalogues' own translation, not a copy in this test."""
    with translation.override(language):
        return translation.pgettext(context, text) if context else translation.gettext(text)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", OPTIONS)
def test_a_person_signs_up_in_french_and_german_and_keeps_the_language(page, axe_check, language, width):
    page.set_viewport_size(WIDTHS[width])
    page.goto("/")
    switch_language(page, OPTIONS[language])
    assert page.evaluate("document.documentElement.lang") == language
    assert_fully_in(page, language)

    toggle = page.locator("[data-nav-toggle]")
    if toggle.is_visible():
        toggle.click()
    page.get_by_role("link", name=words(language, "Create an account")).first.click()
    page.wait_for_url("**/accounts/age/")
    assert_fully_in(page, language)
    axe_check(page)
    boxes = page.locator("input[name^=date_of_birth]")
    for box, value in zip([boxes.nth(0), boxes.nth(1), boxes.nth(2)], ["12", "4", "1990"], strict=True):
        box.fill(value)
    page.get_by_role("button", name=words(language, "Continue", "age screen")).click()

    page.wait_for_url("**/accounts/signup/")
    assert_fully_in(page, language)
    axe_check(page)
    email = f"signup-{language}-{width}@example.com"
    page.locator("#id_first_name").fill("Ada")
    page.locator("#id_last_name").fill("Lovelace")
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill("an-unguessable-passphrase-91")
    page.locator("#id_password2").fill("an-unguessable-passphrase-91")
    page.locator("#id_country").select_option("FR")
    page.get_by_role("button", name=words(language, "Create my account")).click()
    expect(page.locator("h1")).not_to_have_text(re.compile(words(language, "Create an account")))
    assert_fully_in(page, language)
    axe_check(page)

    user = User.objects.get(email=email)
    assert user.language == language
    subscriber = Subscriber.objects.filter(email=email).first()
    assert subscriber is None or subscriber.language == language
    [message] = [m for m in mail.outbox if email in m.to]
    body = message.subject + "\n" + message.body
    left = sorted(phrase for phrase in english_phrases(language) if phrase in body)
    assert not left, f"English left in the {language} confirmation email: {left}"
