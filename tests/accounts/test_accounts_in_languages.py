"""accounts in French and German (issue 16): what a person reads on the account pages, and in the emails the app
sends, is in their language; the language they sign up in is remembered for their emails."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from accounts import emails
from accounts.models import User
from subscriptions.models import Subscriber
from tests.accounts.test_account_pages import ADDRESS
from tests.accounts.test_signup import AGE_URL, SIGNUP_URL, answer, dob, row_counts, signup_data
from tests.accounts.test_signup_subscriptions import confirm_account
from tests.conftest import _clear_cache
from tests.factories import SubscriberFactory, UserFactory, launch_topics

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
PROFILE_URL = reverse("accounts:profile")


def visible_main(response) -> str:
    """The words a person sees in the page's main part (tags dropped, entities decoded, spaces collapsed)."""
    page = response.content.decode()
    main = page.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def our_english_sentences(language: str) -> list[str]:
    """accounts' own English sentences (three words or more) that its catalogue translates differently. Text that
    the project's shared templates (templates/, another part of the project) also say is left to their check."""
    with (ROOT / "accounts" / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalogue = read_po(handle)
    shared = " ".join(path.read_text() for path in (ROOT / "templates").rglob("*.html"))
    sentences = []
    for message in catalogue:
        if not isinstance(message.id, str) or not message.id or message.string == message.id:
            continue
        for chunk in re.split(r"%\(\w+\)s|<[^>]+>", message.id):  # the literal text around placeholders and tags
            if len(chunk.split()) >= 3 and chunk.strip() not in shared:
                sentences.append(chunk.strip())
    return sentences


def assert_no_english(text: str, language: str) -> None:
    left = [sentence for sentence in our_english_sentences(language) if sentence in text]
    assert not left, f"English left on a {language} page: {left}"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                "Date de naissance",
                "Jour",
                "Mois",
                "Année",
                "Pour commencer, veuillez nous indiquer votre date de naissance.",
                "Nous l'utilisons une seule fois pour créer votre compte et ne la conservons pas.",
                "Continuer",
            ],
        ),
        (
            "de",
            [
                "Geburtsdatum",
                "Tag",
                "Monat",
                "Jahr",
                "Bitte nennen Sie uns zuerst Ihr Geburtsdatum.",
                "Wir verwenden es nur einmal, um Ihr Konto einzurichten, und speichern es nicht.",
                "Weiter",
            ],
        ),
    ],
)
def test_the_age_screen_is_translated_and_still_neutral(client, language, expected):
    text = visible_main(client.get(AGE_URL, HTTP_ACCEPT_LANGUAGE=language))
    for words in expected:
        assert words in text
    assert_no_english(text, language)
    hints = {
        "fr": [r"\b13\b", r"\b18\b", r"\bans\b", "majeur", "mineur", "minimum", "moins de", "au moins", "assez âgé"],
        "de": [r"\b13\b", r"\b18\b", r"\bJahre\b", "volljährig", "minderjährig", "mindestens", r"\bunter\b"],
    }[language]
    for hint in hints:
        assert not re.search(hint, text, flags=re.IGNORECASE), hint


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                "Prénom",
                "Nom",
                "Téléphone (facultatif)",
                "Format international, par exemple +33 6 12 34 56 78.",
                "Pays de résidence",
                "Choisissez un pays",
                "Genre (facultatif)",
                "Je préfère ne pas répondre",
                "Non binaire",
                "Envoyez-moi la lettre d'information et les offres spéciales",
                "Informez-moi des nouvelles marques et des nouveaux styles de produits.",
                "Un parent ou tuteur légal encadre mon utilisation de ce site.",
            ],
        ),
        (
            "de",
            [
                "Vorname",
                "Nachname",
                "Telefon (optional)",
                "Internationales Format, zum Beispiel +49 30 1234567.",
                "Wohnsitzland",
                "Land auswählen",
                "Geschlecht (optional)",
                "Keine Angabe",
                "Nicht-binär",
                "Senden Sie mir den Newsletter und Sonderangebote",
                "Informieren Sie mich über neue Marken und Produktstile.",
                "Ein Elternteil oder Erziehungsberechtigte(r) beaufsichtigt meine Nutzung dieser Website.",
            ],
        ),
    ],
)
def test_the_signup_page_is_in_the_page_language(client, language, expected):
    client.post(AGE_URL, answer(dob(15)), HTTP_ACCEPT_LANGUAGE=language)  # 13-17: the attestation box shows too
    text = visible_main(client.get(SIGNUP_URL, HTTP_ACCEPT_LANGUAGE=language))
    for words in expected:
        assert words in text
    assert_no_english(text, language)

    refused = visible_main(client.post(SIGNUP_URL, signup_data(first_name="<b>"), HTTP_ACCEPT_LANGUAGE=language))
    assert {
        "fr": "Veuillez n'utiliser que des lettres, des espaces, des traits d'union",
        "de": "Bitte verwenden Sie in einem Namen nur Buchstaben",
    }[language] in refused
    assert {
        "fr": "Veuillez demander à un parent ou tuteur légal d'encadrer l'utilisation de votre compte",
        "de": "Bitten Sie ein Elternteil oder eine(n) Erziehungsberechtigte(n), Ihr Konto zu beaufsichtigen",
    }[language] in refused
    assert_no_english(refused, language)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Demandez de l'aide à un parent ou tuteur légal"),
        ("de", "Bitte wenden Sie sich an ein Elternteil oder eine(n) Erziehungsberechtigte(n)."),
    ],
)
def test_the_under_13_refusal_is_translated_and_stores_nothing(client, language, expected):
    before = row_counts()
    response = client.post(AGE_URL, answer(dob(12, days=-3)), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    text = visible_main(response)
    assert expected in text
    assert {"fr": "Nous n'avons rien conservé", "de": "Wir haben nichts von dem gespeichert"}[language] in text
    assert_no_english(text, language)
    assert row_counts() == before
    assert "sessionid" not in response.cookies

    # The guest forms' refusal (the same screen in front of reviews, contests, the contact form)
    guest = client.get(reverse("accounts:age_check") + "?next=/", HTTP_ACCEPT_LANGUAGE=language)
    assert guest.status_code == 403
    assert expected in visible_main(guest)
    assert_no_english(visible_main(guest), language)
    assert row_counts() == before


def test_a_french_signup_stores_french_on_the_account_and_its_newsletter_address(client):
    launch_topics()
    client.post(AGE_URL, answer(dob(30)), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    client.post(SIGNUP_URL, signup_data(newsletter="on"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    user = User.objects.get()
    assert user.language == "fr"
    assert Subscriber.objects.get(user=user).language == "fr"


def test_a_signup_takes_over_a_guest_subscriber_in_the_signup_language(client):
    launch_topics()
    SubscriberFactory(email="ada@example.com", language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"  # the header's switcher, chosen before signing up
    client.post(AGE_URL, answer(dob(30)))
    client.post(SIGNUP_URL, signup_data(newsletter="on"))
    user = User.objects.get()
    assert (user.language, Subscriber.objects.get().language) == ("de", "de")


def test_a_german_accounts_emails_are_german_whatever_page_sends_them(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    client.post(AGE_URL, answer(dob(30)), HTTP_ACCEPT_LANGUAGE="de")
    client.post(SIGNUP_URL, signup_data(), HTTP_ACCEPT_LANGUAGE="de")
    assert User.objects.get().language == "de"
    assert len(mailoutbox) == 1

    # Later, from an English page: signing in before confirming sends the confirmation again (allauth's own
    # wording, in German from allauth's catalogue, in the shop's "Sie" from locale_overrides/).
    _clear_cache(cache)  # past allauth's 3-minute resend limit
    english = type(client)(HTTP_ACCEPT_LANGUAGE="en")
    english.post(reverse("account_login"), {"login": "ada@example.com", "password": "an-unguessable-passphrase-91"})
    resent = mailoutbox[-1]
    assert len(mailoutbox) == 2
    assert resent.subject == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert "Sie erhalten diese E-Mail" in resent.body

    # Confirming from an English page: the welcome email (accounts' own) is German, text and HTML.
    mailoutbox[:] = mailoutbox[:1]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    confirm_account(client, mailoutbox, django_capture_on_commit_callbacks)
    welcome = mailoutbox[-1]
    assert welcome.subject.startswith("Willkommen bei ")
    assert welcome.subject.endswith(": Ihr Konto ist eingerichtet")
    assert welcome.body.startswith("Hallo Ada,")
    assert "ist bestätigt und einsatzbereit." in welcome.body
    assert "Werbe-E-Mails erhalten Sie nur, wenn Sie sie angefordert haben" in welcome.body
    html_body = html.unescape(welcome.alternatives[0][0])
    assert "Zu Ihrem Konto" in html_body
    assert "Your account" not in welcome.body + html_body


def test_an_account_that_never_chose_a_language_gets_the_default(client, mailoutbox):
    user = UserFactory(first_name="Ada", language="")
    with translation.override("de"):  # the page or task that sends it says nothing about the recipient
        emails.send_welcome(user)
    assert mailoutbox[0].subject.startswith("Welcome to")


@pytest.mark.parametrize(
    ("language", "saved", "words"),
    [("de", "Ihre Angaben wurden gespeichert.", "Ihre Angaben"), ("fr", "Vos informations sont enregistrées.", "Vos")],
)
def test_the_profile_language_field_saves_and_switches_the_page_at_once(client, language, saved, words):
    user = UserFactory(first_name="Ada", language="en")
    subscriber = SubscriberFactory(email=user.email, user=user, language="en")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chosen earlier with the header's switcher
    page = client.get(PROFILE_URL).content.decode()
    for code, name in [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]:
        assert re.search(rf'<option value="{code}"( selected)? lang="{code}">{name}</option>', page)
    assert '<option value="en" selected lang="en">English</option>' in page

    data = {"first_name": "Ada", "last_name": "King", "phone": "", "country": "FR", "gender": "", "language": language}
    response = client.post(PROFILE_URL, data, follow=True)
    user.refresh_from_db()
    subscriber.refresh_from_db()
    assert (user.language, subscriber.language, user.last_name) == (language, language, "King")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    assert f'<html lang="{language}">' in response.content.decode()
    text = visible_main(response)
    assert saved in text
    assert words in text
    assert_no_english(text, language)
    assert f'<option value="{language}" selected lang="{language}">' in response.content.decode()


@pytest.mark.parametrize("language", ["xx", "klingon", "fr-XX", "../de"])
def test_an_unknown_language_on_the_profile_is_refused_and_changes_nothing(client, language):
    user = UserFactory(first_name="Ada", language="de")
    client.force_login(user)
    data = {"first_name": "Augusta", "last_name": "King", "phone": "", "country": "FR", "gender": ""}
    response = client.post(PROFILE_URL, {**data, "language": language}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Wählen Sie eine der Sprachen aus der Liste." in visible_main(response)  # in the saved language
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(PROFILE_URL, {**data, "language": language})
    assert "Choose one of the languages in the list." in visible_main(response)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    user.refresh_from_db()
    assert (user.language, user.first_name) == ("de", "Ada")


def test_the_profile_and_address_pages_are_in_the_saved_language(client):
    user = UserFactory(first_name="Ada", language="fr")
    client.force_login(user)
    form = visible_main(client.get(reverse("accounts:address_add")))
    for words in ["Ajouter une adresse", "Utiliser cette adresse pour", "Les livraisons (adresse de livraison)"]:
        assert words in form
    assert_no_english(form, "fr")
    missing = visible_main(client.post(reverse("accounts:address_add"), {**ADDRESS, "city": ""}))
    assert "Saisissez la ville." in missing
    client.post(reverse("accounts:address_add"), ADDRESS)
    profile = visible_main(client.get(PROFILE_URL))
    for words in ["Votre compte", "Carnet d'adresses", "Livraison (par défaut)", "18 ans ou plus", "Langue"]:
        assert words in profile
    assert_no_english(profile, "fr")


def test_a_password_reset_is_written_in_the_accounts_language_and_an_unknown_address_in_the_pages(client, mailoutbox):
    UserFactory(email="marie@example.com", language="fr")
    client.post(reverse("account_reset_password"), {"email": "marie@example.com"}, HTTP_ACCEPT_LANGUAGE="de")
    assert mailoutbox[-1].subject == "E-mail de réinitialisation de mot de passe"  # the account's French
    # nobody's saved language to follow: the language of the page that asked
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"}, HTTP_ACCEPT_LANGUAGE="de")
    assert mailoutbox[-1].to == ["nobody@example.com"]
    assert mailoutbox[-1].subject == "Unbekanntes Konto"
