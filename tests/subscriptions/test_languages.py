"""Issue 16 in subscriptions: every subscriber reads their emails and token pages in their own language (en, fr,
de); editions have a version per language; the subscribe page stores the page's language."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from subscriptions import mailing
from subscriptions.models import Delivery, EditionVersion, Subscriber, TopicTranslation
from subscriptions.selectors import audience_breakdown
from subscriptions.tokens import Purpose, make_token
from tests.factories import SubscriberFactory, SubscriptionFactory

from .test_esp_payloads import esp  # noqa: F401 (the fixture: anymail's real backends against the stand-in ESP)
from .test_mailing import make_edition

VERSIONS = {
    "fr": {
        "subject": "Nos idées de décembre",
        "preheader": "Des manteaux chauds à petits prix",
        "body_text": "Bonjour de la part de {{ SHOP_NAME }}. Thème : {{ topic.name }}.",
        "body_html": "<p>Bonjour de la part de {{ SHOP_NAME }}.</p><p>Thème : {{ topic.name }}</p>",
    },
    "de": {
        "subject": "Unsere Dezember-Auswahl",
        "preheader": "Warme Mäntel zu fairen Preisen",
        "body_text": "Hallo von {{ SHOP_NAME }}. Thema: {{ topic.name }}.",
        "body_html": "<p>Hallo von {{ SHOP_NAME }}.</p><p>Thema: {{ topic.name }}</p>",
    },
}


def unsubscribe_path(text: str) -> str:
    link = re.search(r"https?://\S+?/unsubscribe/[^/\s]+/", text).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def readers(topics):
    """A confirmed newsletter reader per language (and one who never chose: the default's)."""
    out = {}
    for language in ["en", "fr", "de", ""]:
        subscriber = SubscriberFactory(email=f"reader-{language or 'none'}@example.com", language=language)
        SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"], frequency="twice_weekly")
        out[language] = subscriber
    TopicTranslation.objects.create(
        topic=topics["newsletter"], language="fr", name="Lettre d'information et offres spéciales"
    )
    TopicTranslation.objects.create(topic=topics["newsletter"], language="de", name="Newsletter und Sonderangebote")
    return out


def edition_with_versions(topic, languages=("fr", "de")):
    edition = make_edition(topic)
    for language in languages:
        EditionVersion.objects.create(edition=edition, language=language, **VERSIONS[language])
    return edition


def send(edition) -> dict[str, mail.EmailMessage]:
    mailing.plan_edition(edition_id=edition.pk)
    result = mailing.send_batch(edition_id=edition.pk)
    assert result.failed == 0
    return {message.to[0]: message for message in mail.outbox}


@pytest.mark.django_db
def test_one_edition_reaches_three_languages_each_in_their_version_with_working_links(readers, topics):
    edition = edition_with_versions(topics["newsletter"])
    received = send(edition)
    assert len(received) == 4

    english = received["reader-en@example.com"]
    assert english.subject == "December picks"
    assert "Hello from Example Shop. Topic: Newsletter and special offers." in english.body
    assert "Unsubscribe from Newsletter and special offers:" in english.body
    assert received["reader-none@example.com"].subject == "December picks"  # no language chosen: the default's

    french = received["reader-fr@example.com"]
    assert french.subject == "Nos idées de décembre"
    assert "Thème : Lettre d'information et offres spéciales." in french.body
    assert "Se désabonner de Lettre d'information et offres spéciales" in french.body
    assert "Des manteaux chauds à petits prix" in french.alternatives[0][0]
    assert "Choisir vos e-mails et leur fréquence" in french.alternatives[0][0]

    german = received["reader-de@example.com"]
    assert german.subject == "Unsere Dezember-Auswahl"
    assert "Hallo von Example Shop. Thema: Newsletter und Sonderangebote." in german.body
    assert "Newsletter und Sonderangebote abbestellen" in german.body

    # Each their own unsubscribe link (body and header); it opens in their language and the POST unsubscribes them.
    expected = {"en": "Unsubscribe from", "fr": "Se désabonner de", "de": "abbestellen?"}
    for language, subscriber in [(k, v) for k, v in readers.items() if k]:
        message = received[subscriber.email]
        path = unsubscribe_path(message.body)
        assert path in message.extra_headers["List-Unsubscribe"]
        browser = Client()  # no language cookie, an English browser: the subscriber's saved language wins
        page = browser.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        assert expected[language] in page.content.decode()
        assert f'lang="{language}"' in page.content.decode()
        done = browser.post(path, {"action": "unsubscribe"}, HTTP_ACCEPT_LANGUAGE="en")
        assert done.status_code == 200
        assert subscriber.subscriptions.get().state == "unsubscribed"
    assert readers[""].subscriptions.get().state == "active"  # nobody else's


@pytest.mark.django_db
def test_a_language_without_a_version_gets_the_default_languages_edition_in_its_own_words(readers, topics):
    edition = edition_with_versions(topics["newsletter"], languages=("fr",))
    received = send(edition)
    german = received["reader-de@example.com"]
    assert german.subject == "December picks"  # staff wrote no German version
    assert "Hello from Example Shop. Topic: Newsletter und Sonderangebote." in german.body
    assert "Newsletter und Sonderangebote abbestellen" in german.body  # the email's own words: German
    assert received["reader-fr@example.com"].subject == "Nos idées de décembre"


@pytest.mark.django_db
def test_a_batch_api_sends_each_language_its_version_with_per_recipient_headers(
    esp,  # noqa: F811
    esp_server,
    readers,
    topics,
):
    if esp not in {"sendgrid", "mailgun"}:
        pytest.skip("the batch path is the same for every batch ESP")
    edition = edition_with_versions(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    result = mailing.send_batch(edition_id=edition.pk)
    assert (result.sent, result.failed) == (4, 0), Delivery.objects.values_list("error", flat=True)
    received = {m["to"]: m for m in esp_server.messages()}
    assert received["reader-fr@example.com"]["subject"] == "Nos idées de décembre"
    assert received["reader-de@example.com"]["subject"] == "Unsere Dezember-Auswahl"
    assert received["reader-en@example.com"]["subject"] == "December picks"
    assert esp_server.stats()["accepted_requests"] == 3  # one call per language in the chunk
    for address, message in received.items():
        header = {k.lower(): v for k, v in message["headers"].items()}["list-unsubscribe"]
        link = re.fullmatch(r"<([^>]+)>", header).group(1)
        assert link in message["text"]
        assert Client().post(unsubscribe_path(link), {"action": "unsubscribe"}).status_code == 200
        assert Subscriber.objects.get(email=address).subscriptions.get().state == "unsubscribed"


@pytest.mark.django_db
def test_a_combined_email_uses_the_same_languages_versions(readers, topics):
    french = readers["fr"]
    SubscriptionFactory(subscriber=french, topic=topics["contests"], frequency="twice_weekly")
    newsletter = edition_with_versions(topics["newsletter"])
    contests = make_edition(topics["contests"], subject="Win a coat")
    EditionVersion.objects.create(
        edition=contests, language="fr", subject="Gagnez un manteau", body_text="Jeu concours", body_html="<p>Jeu</p>"
    )
    mailing.plan_editions(edition_ids=[newsletter.pk, contests.pk])
    mailing.send_batch(edition_id=newsletter.pk)
    [message] = [m for m in mail.outbox if m.to == [french.email]]
    assert message.subject.startswith("Nos idées de décembre (et aussi :")
    assert "Gagnez un manteau" in message.body
    assert "Jeu concours" in message.body
    assert "Se désabonner des 2 thèmes" in message.body


@pytest.mark.django_db
def test_the_audience_is_split_by_language(readers, topics):
    edition = make_edition(topics["newsletter"])
    audience = audience_breakdown(edition)
    assert audience.by_language == {"en": 2, "fr": 1, "de": 1}
    assert audience.will_receive == 4


@pytest.mark.django_db
def test_the_confirmation_email_is_in_the_subscribers_language(
    client, topics, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("subscriptions:subscribe"),
            {"email": "neu@example.com", "topics": ["newsletter"]},
            HTTP_ACCEPT_LANGUAGE="de",
        )
    assert response.status_code == 302
    subscriber = Subscriber.objects.get(email="neu@example.com")
    assert subscriber.language == "de"  # the page's language
    [message] = mailoutbox
    assert message.subject == "Bitte bestätigen Sie Ihr E-Mail-Abonnement bei Example Shop"
    assert "Zur Bestätigung öffnen Sie diesen Link" in message.body


@pytest.mark.django_db
def test_a_stranger_typing_a_known_address_on_a_french_page_does_not_change_its_language(client, readers, topics):
    client.post(
        reverse("subscriptions:subscribe"),
        {"email": readers["de"].email, "topics": ["contests"]},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    readers["de"].refresh_from_db()
    assert readers["de"].language == "de"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Vos préférences e-mail", "Enregistrer mes choix", "Langue de vos e-mails", "Tout mettre en pause"]),
        ("de", ["Ihre E-Mail-Einstellungen", "Meine Auswahl speichern", "Sprache Ihrer E-Mails", "Alles pausieren"]),
    ],
)
def test_the_preference_center_by_link_speaks_the_subscribers_language(readers, language, words):
    url = reverse("subscriptions:preferences_token", args=[make_token(readers[language], purpose=Purpose.PREFERENCES)])
    page = Client().get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for word in words:
        assert word in page
    assert {"fr": "Lettre d'information et offres spéciales", "de": "Newsletter und Sonderangebote"}[language] in page


@pytest.mark.django_db
def test_the_language_cookie_wins_over_the_saved_language(readers):
    url = reverse("subscriptions:preferences_token", args=[make_token(readers["de"], purpose=Purpose.PREFERENCES)])
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Vos préférences e-mail" in browser.get(url).content.decode()


@pytest.mark.django_db
def test_the_unsubscribe_page_in_french_and_german(readers, topics):
    for language, title, button in [
        ("fr", "Se désabonner de «\u00a0Lettre d'information et offres spéciales\u00a0»\u00a0?", "Moins d'e-mails"),
        ("de", "„Newsletter und Sonderangebote“ abbestellen?", "Lieber weniger E-Mails?"),
    ]:
        token = make_token(readers[language], purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])
        page = Client().get(reverse("subscriptions:unsubscribe", args=[token])).content.decode()
        assert title in page.replace("&#x27;", "'")
        assert button in page.replace("&#x27;", "'")


@pytest.mark.django_db
def test_the_preference_center_changes_the_language_of_the_emails(readers):
    subscriber = readers["en"]
    url = reverse("subscriptions:preferences_token", args=[make_token(subscriber, purpose=Purpose.PREFERENCES)])
    browser = Client()
    response = browser.post(url, {"action": "language", "language": "fr"}, follow=True)
    assert "Langue de vos e-mails\u00a0: Français." in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.language == "fr"


@pytest.mark.django_db
@pytest.mark.parametrize("forged", ["xx", "fr-evil", "", "de\x00", "en" * 40])
def test_a_forged_language_is_refused_with_a_clear_message_and_nothing_changes(readers, forged):
    subscriber = readers["de"]
    url = reverse("subscriptions:preferences_token", args=[make_token(subscriber, purpose=Purpose.PREFERENCES)])
    response = Client().post(url, {"action": "language", "language": forged})
    assert response.status_code == 400
    page = response.content.decode()
    message = "Bitte wählen Sie eine Sprache." if not forged else "Bitte wählen Sie eine der angebotenen Sprachen."
    assert message in page
    subscriber.refresh_from_db()
    assert subscriber.language == "de"


@pytest.mark.django_db
def test_a_token_page_never_reveals_or_changes_another_subscribers_language(readers):
    mine, theirs = readers["fr"], readers["de"]
    url = reverse("subscriptions:preferences_token", args=[make_token(mine, purpose=Purpose.PREFERENCES)])
    # Whatever else the POST names (their id, their address), the link's subscriber is the only one changed.
    Client().post(url, {"action": "language", "language": "en", "subscriber": theirs.pk, "email": theirs.email})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.language, theirs.language) == ("en", "de")
    page = Client().get(url).content.decode()
    assert theirs.email not in page
    selected = re.search(r'<option value="(\w+)"[^>]*selected', page).group(1)
    assert selected == "en"  # the page shows the link's own subscriber's language, nobody else's


@pytest.mark.django_db
def test_the_subscribe_page_and_footer_form_are_translated(client, topics):
    TopicTranslation.objects.create(topic=topics["contests"], language="fr", name="Jeux concours")
    page = client.get(reverse("subscriptions:subscribe"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Recevez nos e-mails" in page
    assert "Jeux concours" in page
    assert "Lettre d'information et offres spéciales</strong>" in page.replace("&#x27;", "'")  # the footer form
    with translation.override("de"):
        assert "Abonnieren" in client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()


@pytest.mark.django_db
def test_the_alert_digest_reaches_each_reader_in_their_language(topics, django_capture_on_commit_callbacks):
    from subscriptions import services

    from .test_mailing import FRIDAY

    for language in ["fr", "de", ""]:
        SubscriptionFactory(
            topic=topics["new-brands-and-styles"],
            frequency="twice_weekly",
            subscriber=SubscriberFactory(email=f"alerts-{language or 'en'}@example.com", language=language),
        )
    services.queue_alert(title="Nordlys", link="https://shop.example.com/b/nordlys", source="brand:1")
    with django_capture_on_commit_callbacks(execute=True):
        mailing.run_slot(slot_at=FRIDAY)
    received = {message.to[0]: message for message in mail.outbox}
    assert received["alerts-en@example.com"].subject == "New at Example Shop: brands and styles just in"
    assert received["alerts-fr@example.com"].subject == (
        "Nouveau chez Example Shop : les marques et styles qui viennent d'arriver"  # (a subject's spaces: plain)
    )
    assert "Nouveautés depuis notre dernier e-mail" in received["alerts-fr@example.com"].body
    assert received["alerts-de@example.com"].subject == "Neu bei Example Shop: gerade eingetroffene Marken und Styles"
    assert "Neu seit unserer letzten E-Mail:" in received["alerts-de@example.com"].body
    assert "Nordlys" in received["alerts-de@example.com"].body


@pytest.mark.django_db
def test_fewer_emails_is_said_in_the_subscribers_language_with_its_own_case(readers, topics):
    token = make_token(readers["de"], purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])
    page = Client().post(reverse("subscriptions:unsubscribe", args=[token]), {"action": "monthly"}).content.decode()
    assert "„Newsletter und Sonderangebote“: ab jetzt einmal im Monat" in page  # "Monat" keeps its capital
    assert readers["de"].subscriptions.get().frequency == "monthly"


@pytest.mark.django_db
def test_a_signed_in_person_chooses_the_language_of_their_emails_in_the_preference_center(client, topics):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("subscriptions:preferences"), {"action": "language", "language": "de"}, follow=True)
    assert "Sprache Ihrer E-Mails: Deutsch." in response.content.decode()
    assert Subscriber.objects.get(user=user).language == "de"


@pytest.mark.parametrize(
    ("language", "words", "english"),
    [
        ("fr", ["Les e-mails que nous vous avons envoyés", "Vos abonnements e-mail", "Envoyé", "Objet"], "Emails we"),
        (
            "de",
            ["E-Mails, die wir Ihnen gesendet haben", "Ihre E-Mail-Abonnements", "Gesendet", "Betreff"],
            "Emails we",
        ),
    ],
)
@pytest.mark.django_db
def test_the_privacy_dashboard_names_subscriptions_sections_in_the_readers_language(language, words, english):
    """The sections subscriptions gives privacy's dashboard, and the export page's titles, are lazy strings: each
    reader sees them in their own language (they were registered in English once, at start-up)."""
    from subscriptions.addresses import email_hash
    from subscriptions.models import SentEmail
    from tests.factories import UserFactory

    user = UserFactory(email="reader@example.com")
    SubscriberFactory(email="reader@example.com", user=user)
    SentEmail.objects.create(recipient_hash=email_hash(user.email), kind="account", subject="Welcome")
    client = Client()
    client.force_login(user)
    page = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for word in words:
        assert word in page
    assert english not in page
    assert "Your email subscriptions" not in page
