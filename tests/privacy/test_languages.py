"""Issue 16 for privacy: its pages, banners and emails in the reader's language; the policy's text per language and
the ledger's record of which one a person saw; and no forged language value ever stored."""

from __future__ import annotations

import datetime
import html
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone, translation

from privacy import services
from privacy.data_rights import build_data_export, request_export
from privacy.models import ConsentEvent, DataExport, DataRequest, GuestLink, PolicyText, PolicyVersion
from privacy.tasks import send_guest_link, send_privacy_audit
from tests.factories import StaffFactory, SubscriberFactory, SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[2] / "privacy" / "locale"
GUEST = "gaelle@example.org"


@cache
def english_sentences(language: str) -> frozenset[str]:
    """privacy's own English sentences that read differently in `language` (a translated page shows none of them)."""
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalogue = read_po(handle)
    return frozenset(
        str(m.id)
        for m in catalogue
        if isinstance(m.id, str) and " " in m.id and len(m.id) >= 12 and "%(" not in m.id and m.string != m.id
    )


def _visible(response, pattern: str) -> str:
    found = re.search(pattern, response.content.decode(), re.S)
    assert found, pattern
    return html.unescape(found.group(0))


def main_part(response) -> str:
    return _visible(response, r"<main.*</main>")


def banner_part(response) -> str:
    return _visible(response, r'<section class="cookie-banner".*?</section>')


def assert_no_english(text: str, language: str, where: str = "") -> None:
    left = sorted(sentence for sentence in english_sentences(language) if sentence in text)
    assert not left, f"English left on a {language} page {where}: {left}"


@pytest.fixture
def policy():
    version = PolicyVersion.objects.create(
        version="3",
        title="Our privacy promise",  # the default language's text, shown as is where no translation exists
        body="We keep your data safe.",
        effective_at=timezone.now() - datetime.timedelta(days=1),
    )
    PolicyText.objects.create(
        policy_version=version,
        language="fr",
        title="Politique de confidentialité",
        body="Nous protégeons vos données.",
    )
    return version


# Pages and the cookie banner --------------------------------------------------------------------------------------

PAGES = {
    "fr": {
        "/privacy/": "Votre confidentialité",
        "/privacy/cookies/": "Paramètres des cookies",
        "/privacy/ad-sharing/": "Publicité personnalisée",
        "/privacy/policy/": "Politique de confidentialité",
        "/privacy/request/": "Télécharger ou supprimer vos données",
        "/privacy/export/": "Télécharger mes données",
        "/privacy/delete/": "Supprimer mon compte",
    },
    "de": {
        "/privacy/": "Ihr Datenschutz",
        "/privacy/cookies/": "Cookie-Einstellungen",
        "/privacy/ad-sharing/": "Personalisierte Werbung",
        "/privacy/policy/": "Datenschutzerklärung",
        "/privacy/request/": "Ihre Daten herunterladen oder löschen",
        "/privacy/export/": "Meine Daten herunterladen",
        "/privacy/delete/": "Mein Konto löschen",
    },
}


@pytest.mark.parametrize("language", ["fr", "de"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "signed-in"])
def test_privacy_pages_are_in_the_readers_language(client, policy, language, signed_in):
    if signed_in:
        user = UserFactory(email="lea@example.org")
        services.save_cookie_choice(user=user, categories=["analytics"])
        services.record_disclosure(
            recipient_kind="carrier", recipient_name="Colis Express", purpose="Delivery", data_categories=["name"]
        )
        client.force_login(user)
    for path, heading in PAGES[language].items():
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code == 302:  # signed-in pages, for a guest
            continue
        assert response.status_code == 200, path
        main = main_part(response)
        assert f"<h1>{heading}</h1>" in main, path
        assert_no_english(main, language, path)


def test_the_signed_in_dashboard_reads_in_french(client):
    user = UserFactory()
    with translation.override("fr"):
        services.save_cookie_choice(user=user, categories=["preferences", "analytics"])
    client.force_login(user)
    main = main_part(client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "vous autorisez les cookies de préférences, cookies statistiques" in main
    assert "Ce que nous détenons à votre sujet" in main
    assert "Cookies statistiques" in main  # the ledger's "cookies:analytics" in words
    assert "Accordé" in main  # ConsentEvent.Action
    assert "Paramètres des cookies" in main  # ConsentEvent.Method
    assert "uniquement les cookies nécessaires" not in main
    assert_no_english(main, "fr")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", ["Tout accepter", "Tout refuser", "Choisir"]), ("de", ["Alle akzeptieren", "Alle ablehnen"])],
)
def test_the_cookie_banner_speaks_the_readers_language(client, language, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    banner = banner_part(response)
    for words in expected:
        assert words in banner
    assert "Accept all" not in banner
    assert_no_english(banner, language)


def test_the_cookie_page_explains_each_cookie_in_german(client):
    main = main_part(client.get("/privacy/cookies/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Hält Sie angemeldet und merkt sich Ihren Warenkorb von Seite zu Seite." in main
    assert "Statistik-Cookies erlauben" in main
    assert f"{settings.SESSION_COOKIE_AGE // 86400} Tage" in main
    assert settings.LANGUAGE_COOKIE_NAME in main  # the language cookie is listed among the necessary ones
    assert_no_english(main, "de")


def test_the_policy_banner_follows_the_language(client):
    user = UserFactory(date_joined=timezone.now() - datetime.timedelta(days=30))
    PolicyVersion.objects.create(
        version="9", body="Changed.", effective_at=timezone.now() - datetime.timedelta(hours=1), is_material=True
    )
    client.force_login(user)
    page = client.get("/privacy/cookies/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Wir haben unsere Datenschutzerklärung geändert." in page
    assert "We have changed our privacy policy." not in page


# The policy per language ----------------------------------------------------------------------------------------


def test_the_policy_page_shows_the_french_text_when_there_is_one(client, policy):
    main = main_part(client.get("/privacy/policy/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Politique de confidentialité, version 3" in main
    assert "Our privacy promise" not in main
    assert "Nous protégeons vos données." in main
    assert "We keep your data safe." not in main
    assert "pas encore disponible dans votre langue" not in main


def test_the_policy_page_falls_back_to_the_default_text_and_says_so(client, policy):
    main = main_part(client.get("/privacy/policy/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "We keep your data safe." in main  # no German text: the default one
    assert '<div class="policy-body" lang="en">' in main
    assert "Diese Erklärung ist noch nicht in Ihrer Sprache verfügbar" in main
    english = main_part(client.get("/privacy/policy/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "We keep your data safe." in english
    assert "not available in your language" not in english


def test_one_text_per_language_and_version(policy):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyText.objects.create(policy_version=policy, language="fr", title="Autre", body="Autre")


def test_a_policy_text_in_an_unknown_or_the_default_language_is_refused_by_validation(policy):
    from django.core.exceptions import ValidationError

    for language in ("xx", "en", ""):
        with pytest.raises(ValidationError):
            PolicyText(policy_version=policy, language=language, title="T", body="B").full_clean()


# The ledger records the language of the text the person saw -------------------------------------------------------


def _choose_cookies(client, language: str) -> ConsentEvent:
    user = UserFactory()
    client.force_login(user)
    client.post("/privacy/cookies/", {"choice": "reject_all"}, HTTP_ACCEPT_LANGUAGE=language)
    return ConsentEvent.objects.filter(user=user).latest("id")


def test_a_consent_on_a_french_page_records_french_when_a_french_text_exists(client, policy):
    event = _choose_cookies(client, "fr")
    assert (event.policy_version_id, event.language) == (policy.pk, "fr")


def test_a_consent_on_a_german_page_records_the_default_text_when_none_in_german(client, policy):
    event = _choose_cookies(client, "de")
    assert (event.policy_version_id, event.language) == (policy.pk, settings.LANGUAGE_CODE)


def test_a_consent_with_no_policy_published_records_no_language(client):
    event = _choose_cookies(client, "fr")
    assert (event.policy_version_id, event.language) == (None, "")


def test_record_consent_takes_an_explicit_language_checked_against_the_texts(policy):
    def record(language):
        return services.record_consent(
            subject="visitor", purpose="cookies:analytics", action="granted", method="cookie_banner", language=language
        ).language

    assert record("fr") == "fr"
    assert record("de") == "en"  # no German text: the person read the default one
    assert record("xx") == "en"  # not a language of the site: never stored


def test_the_language_costs_record_consent_no_query(policy, django_assert_num_queries):
    def record():
        services.record_consent(subject="visitor", purpose="cookies:analytics", action="granted", method="gpc")

    for language in ("en", "fr", "de"):
        with translation.override(language), django_assert_num_queries(2):  # the version in force, the insert
            record()


def test_the_dashboard_and_the_export_say_which_language_the_policy_was_read_in(client, policy):
    user = UserFactory()
    with translation.override("fr"):
        services.save_cookie_choice(user=user, categories=["analytics"])
    client.force_login(user)
    assert "(lue en français)" not in main_part(client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "(gelesen auf Französisch)" in main_part(client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="de"))

    with translation.override("de"):
        export = request_export(user=user)
    build_data_export(export_id=export.pk)
    export.refresh_from_db()
    items = export.payload["sections"]["consent_history"]["items"]
    assert {item["language"] for item in items} == {"fr"}  # the JSON keeps the code
    page = main_part(client.get(f"/privacy/export/{export.public_id}/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Sprache des Richtlinientextes" in page
    assert "Französisch" in page
    assert "Verlauf Ihrer Einwilligungen" in page  # the section title, in the reader's language
    assert "Statistik-Cookies" in page
    assert "Erteilt" in page  # the action in words
    assert "Cookie-Einstellungen" in page  # the method in words


# Emails in the recipient's language -----------------------------------------------------------------------------


@pytest.fixture
def guest_subscriber():
    SubscriptionFactory(subscriber=SubscriberFactory(email=GUEST))


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        ("fr", "Télécharger vos données chez", "Pour continuer, ouvrez ce lien et appuyez sur le bouton"),
        ("de", "Ihre Daten von", "Um fortzufahren, öffnen Sie diesen Link und klicken Sie auf die Schaltfläche"),
    ],
)
def test_a_guest_request_email_is_written_in_the_language_of_the_page_even_from_a_later_task(
    client, guest_subscriber, django_capture_on_commit_callbacks, language, subject, sentence
):
    with django_capture_on_commit_callbacks(execute=False):  # the task has not run yet
        client.post("/privacy/request/", {"email": GUEST, "kind": "export"}, HTTP_ACCEPT_LANGUAGE=language)
    link = GuestLink.objects.get()
    assert link.language == language
    with translation.override("en"):  # the worker runs later, in the default language
        assert send_guest_link(link.pk) == "link"
    (message,) = mail.outbox
    assert subject in message.subject
    assert sentence in message.body
    assert "To go ahead" not in message.body

    path = re.search(r"https?://[^/\s]+(/privacy/request/[^\s]+/)", message.body).group(1)
    client.post(path, {"format": "page"}, HTTP_ACCEPT_LANGUAGE="en")
    assert DataRequest.objects.get().language == language  # staff know which language to answer in


def test_the_use_your_account_email_is_in_the_language_of_the_page(client, django_capture_on_commit_callbacks):
    UserFactory(email=GUEST)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/privacy/request/", {"email": GUEST, "kind": "erasure"}, HTTP_ACCEPT_LANGUAGE="de")
    (message,) = mail.outbox
    assert message.subject.startswith("Ihre Daten bei ")
    assert "Diese Adresse gehört zu einem Konto" in message.body


def test_a_staff_request_emails_the_link_in_the_language_the_officer_chose(
    client, guest_subscriber, django_capture_on_commit_callbacks
):
    from privacy.data_rights.guests import open_staff_request

    officer = StaffFactory()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        result = open_staff_request(email=GUEST, kind="erasure", handled_by=officer, language="fr")
    assert result.data_request.language == "fr"
    (message,) = mail.outbox
    assert message.subject.startswith("Supprimer vos données chez ")
    assert "Vous avez demandé à notre équipe chargée de la confidentialité" in message.body


def test_the_audit_email_is_in_each_officers_saved_language(mailoutbox_anymail):
    officers = Group.objects.get(name="Privacy officer")
    StaffFactory(email="anne@example.org", is_superuser=False, language="fr").groups.add(officers)
    StaffFactory(email="bernd@example.org", is_superuser=False, language="de").groups.add(officers)
    with translation.override("en"):
        assert send_privacy_audit() == 2
    by_address = {message.to[0]: message for message in mailoutbox_anymail}
    assert by_address["anne@example.org"].subject.startswith("Audit de confidentialité")
    assert "L'audit hebdomadaire de confidentialité" in by_address["anne@example.org"].body
    german = by_address["bernd@example.org"]
    assert german.subject.startswith("Datenschutz-Audit")
    html_body = german.alternatives[0][0]
    assert '<html lang="de">' in html_body
    assert "Dies ist eine Service-E-Mail" in html_body  # the shared layout's footer


# Attacks: a language value that is not one of the site's is never stored ----------------------------------------


@pytest.mark.parametrize(
    ("cookie", "accept"),
    [("xx", ""), ("fr\r\nSet-Cookie: a=b", ""), ("", "xx-YY,zz;q=0.9"), ("", "../../etc/passwd"), ("de-XX", "")],
)
def test_a_forged_language_is_never_stored(client, policy, django_capture_on_commit_callbacks, cookie, accept):
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/privacy/request/", {"email": GUEST, "kind": "export"}, HTTP_ACCEPT_LANGUAGE=accept)
    event = _choose_cookies(client, accept)
    allowed = {code for code, _ in settings.LANGUAGES} | {""}
    stored = {
        *ConsentEvent.objects.values_list("language", flat=True),
        *GuestLink.objects.values_list("language", flat=True),
        *DataRequest.objects.values_list("language", flat=True),
    }
    assert stored <= allowed
    assert event.language in allowed


def test_services_refuse_a_language_that_is_not_the_sites(guest_subscriber):
    from privacy.data_rights.guests import request_link

    link = request_link(email=GUEST, kind="export", language="xx")
    assert link.language == ""
    assert services.known_language("klingon") == ""
    assert services.known_language("de") == "de"


def test_an_export_file_uses_the_accounts_language_for_its_titles():
    user = UserFactory(language="de")
    export = request_export(user=user)
    build_data_export(export_id=export.pk)
    export = DataExport.objects.get(pk=export.pk)
    assert export.payload["sections"]["consent_history"]["title"] == "Verlauf Ihrer Einwilligungen"


def test_the_demo_policy_has_its_french_and_german_texts(client):
    from demo.seeds.privacy import seed_policy, seed_policy_change

    seed_policy()
    seed_policy_change()
    seed_policy_change()  # idempotent
    assert PolicyText.objects.count() == 4
    french = main_part(client.get("/privacy/policy/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Politique de confidentialité, version 2" in french
    assert "Modifications de la version 2" in french
    german = main_part(client.get("/privacy/policy/?version=1", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Datenschutzerklärung, Version 1" in german
    assert "Änderungen in Version 2" not in german
    assert "We collect what you give us" not in german


def test_staff_add_a_policy_text_per_language_in_the_admin(client):
    client.force_login(StaffFactory())
    form = {
        "version": "4",
        "title": "Privacy policy",
        "body": "Plain words.",
        "effective_at_0": "2026-12-01",
        "effective_at_1": "09:00:00",
        "texts-TOTAL_FORMS": "1",
        "texts-INITIAL_FORMS": "0",
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "1000",
        "texts-0-language": "de",
        "texts-0-title": "Datenschutzerklärung",
        "texts-0-body": "Klare Worte.",
    }
    page = client.get("/admin/privacy/policyversion/add/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "textes dans d&#x27;autres langues" in page.lower() or "textes dans d'autres langues" in page.lower()
    assert '<option value="en"' not in page.split('name="texts-__prefix__-language"', 1)[1].split("</select>", 1)[0]
    response = client.post("/admin/privacy/policyversion/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PolicyVersion.objects.get(version="4").text_in("de").body == "Klare Worte."
    refused = client.post("/admin/privacy/policyversion/add/", {**form, "version": "5", "texts-0-language": "xx"})
    assert refused.status_code == 200  # not a language of the site: the form says so
    assert not PolicyVersion.objects.filter(version="5").exists()
