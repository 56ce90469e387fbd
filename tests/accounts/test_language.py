"""The language a page is shown in, and the one a person's emails are written in (issue 16)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail

from subscriptions.services import render_email, send_transactional
from tests.factories import SubscriberFactory, UserFactory

pytestmark = pytest.mark.django_db


def page_language(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_first_visit_follows_accept_language(client):
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")) == "de"
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CA")) == "fr"
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="ja")) == "en"  # not offered: the default


def test_the_switcher_sets_a_cookie_that_beats_accept_language(client):
    response = client.post("/language/", {"language": "fr", "next": "/shop/"})
    assert response.status_code == 302
    assert response["Location"] == "/shop/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "fr"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="de")) == "fr"
    switcher = client.get("/").content.decode()
    assert '<option value="fr" lang="fr" selected>Français</option>' in switcher
    assert '<label for="language-switcher-select">Langue</label>' in switcher


def test_the_switcher_saves_a_signed_in_persons_language_for_their_emails(client):
    user = UserFactory(email="anna@example.com")
    subscriber = SubscriberFactory(email="anna@example.com", user=user)
    client.force_login(user)
    client.post("/language/", {"language": "de", "next": "/"})
    user.refresh_from_db()
    subscriber.refresh_from_db()
    assert (user.language, subscriber.language) == ("de", "de")


def test_a_saved_language_comes_before_accept_language_on_a_new_browser(client):
    user = UserFactory(language="de")
    client.force_login(user)
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="fr")) == "de"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # the latest choice, made in this browser, wins
    assert page_language(client.get("/")) == "fr"


@pytest.mark.parametrize("language", ["xx", "", "../../etc", "fr\r\nSet-Cookie: a=b"])
def test_an_unknown_language_changes_nothing(client, language):
    user = UserFactory(language="fr")
    client.force_login(user)
    response = client.post("/language/", {"language": language, "next": "/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    user.refresh_from_db()
    assert user.language == "fr"


def test_the_switcher_never_redirects_off_site_nor_changes_on_get(client):
    response = client.post("/language/", {"language": "de", "next": "https://evil.example/phish"})
    assert response["Location"] == "/"
    assert client.get("/language/?language=de").status_code == 405


def test_the_switcher_refuses_a_cross_site_post(client):
    from django.test import Client

    forged = Client(enforce_csrf_checks=True)
    user = UserFactory(language="en")
    forged.force_login(user)
    assert forged.post("/language/", {"language": "de"}).status_code == 403
    user.refresh_from_db()
    assert user.language == "en"


def test_an_email_is_written_in_the_recipients_language_whatever_the_page(settings, tmp_path):
    from django.utils import translation

    folder = tmp_path / "email" / "test"
    folder.mkdir(parents=True)
    (folder / "language_subject.txt").write_text('{% load i18n %}{% translate "Language" %}')
    (folder / "language_message.txt").write_text('{% load i18n %}{% translate "Change" %}')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with translation.override("fr"):  # a French page (or a task) sends to a German subscriber
        send_transactional(
            to="jonas@example.com", template="email/test/language", context={}, kind="service", language="de"
        )
        assert translation.get_language() == "fr"  # the page goes on in its own language
    assert (mail.outbox[0].subject, mail.outbox[0].body) == ("Sprache", "Ändern\n")
    for unknown in ("", None, "xx"):
        assert render_email("email/test/language", {}, language=unknown)[:2] == ("Language", "Change\n")
