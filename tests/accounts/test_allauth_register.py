"""allauth's pages in the shop's register (docs/i18n.md, "Third-party wording"): allauth's German catalogue says
"du", the shop says "Sie"; locale_overrides/ rewrites allauth's informal strings, and these pages prove a German
shopper reads the polite form next to the shop's own pages, while a French shopper still reads allauth's French."""

from __future__ import annotations

import html
import re

import pytest

from tests.factories import UserFactory
from tests.test_translations import DU_FORMS

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
RESET_URL = "/accounts/password/reset/"
LOGOUT_URL = "/accounts/logout/"


def visible_text(response) -> str:
    """What a person reads on the whole page: scripts, styles and tags dropped, entities decoded (a link closing
    before a full stop leaves no space before it)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.DOTALL)
    body = page.split("<body", 1)[1]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).replace(" .", ".")


def page_language(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def assert_polite(text: str) -> None:
    informal = sorted({match.group(0) for match in DU_FORMS.finditer(text)})
    assert not informal, f"'du' on a German page: {informal}\n{text}"


def test_the_german_login_page_says_sie(client):
    response = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert page_language(response) == "de"
    text = visible_text(response)
    assert "Sie haben noch kein Konto bei uns? Dann erstellen Sie bitte zunächst eines." in text
    assert "Du hast noch kein Konto" not in text  # allauth's own wording
    assert "Passwort vergessen?" in text
    assert_polite(text)


def test_the_german_password_reset_page_says_sie(client):
    response = client.get(RESET_URL, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    text = visible_text(response)
    assert (
        "Passwort vergessen? Geben Sie unten Ihre E-Mail-Adresse ein. Wir senden Ihnen dann eine E-Mail, mit der Sie "
        "Ihr Passwort zurücksetzen können." in text
    )
    assert "Bitte wenden Sie sich an uns, wenn das Zurücksetzen Ihres Passworts nicht klappt." in text
    assert "Gib deine E-Mail-Adresse" not in text
    assert_polite(text)


def test_the_german_sign_out_page_and_message_say_sie(client):
    client.force_login(UserFactory(language="de"))
    response = client.get(LOGOUT_URL, HTTP_ACCEPT_LANGUAGE="de")
    text = visible_text(response)
    assert "Möchten Sie sich wirklich abmelden?" in text
    assert_polite(text)
    response = client.post(LOGOUT_URL, HTTP_ACCEPT_LANGUAGE="de", follow=True)
    text = visible_text(response)
    assert "Sie haben sich abgemeldet." in text
    assert_polite(text)


def test_a_failed_german_sign_in_says_sie(client):
    response = client.post(
        LOGIN_URL, {"login": "nobody@example.com", "password": "not the password"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 200
    text = visible_text(response)
    assert "Die E-Mail-Adresse und/oder das Passwort sind leider falsch." in text
    assert_polite(text)


def test_the_same_pages_in_french_are_allauths_french(client):
    login = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="fr")
    assert page_language(login) == "fr"
    text = visible_text(login)
    assert "Si vous n'avez pas encore créé de compte, merci de vous enregistrer au préalable." in text
    assert "Mot de passe oublié ?" in text
    assert "If you have not created an account yet" not in text

    text = visible_text(client.get(RESET_URL, HTTP_ACCEPT_LANGUAGE="fr"))
    assert (
        "Mot de passe oublié ? Indiquez votre adresse e-mail ci-dessous et nous vous enverrons un e-mail pour le "
        "réinitialiser." in text
    )
    assert "Merci de nous contacter si vous ne parvenez pas à réinitialiser votre mot de passe." in text
    assert "Forgotten your password?" not in text
