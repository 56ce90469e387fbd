"""Issue 16: a French and a German subscriber follow their emailed links in an English browser (no language cookie):
the preference center and the unsubscribe page speak their saved language; they change a frequency, then
unsubscribe. axe runs on every page."""

import pytest

from subscriptions.emails import preferences_url, unsubscribe_url
from subscriptions.models import TopicTranslation
from tests.factories import SubscriberFactory, SubscriptionFactory, launch_topics

WORDS = {
    "fr": {
        "topic": "Lettre d'information et offres spéciales",
        "preferences": "Vos préférences e-mail",
        "weekly": "Une fois par semaine",
        "save": "Enregistrer mes choix",
        "saved": "Vos choix sont enregistrés.",
        "unsubscribe_heading": "Se désabonner de «\u00a0Lettre d'information et offres spéciales\u00a0»\u00a0?",
        "unsubscribe": "Se désabonner",
        "done": "Vous êtes désabonné(e) de «\u00a0Lettre d'information et offres spéciales\u00a0»",
        "undo": "Annuler\u00a0: se réabonner",
    },
    "de": {
        "topic": "Newsletter und Sonderangebote",
        "preferences": "Ihre E-Mail-Einstellungen",
        "weekly": "Einmal pro Woche",
        "save": "Meine Auswahl speichern",
        "saved": "Ihre Auswahl ist gespeichert.",
        "unsubscribe_heading": "„Newsletter und Sonderangebote“ abbestellen?",
        "unsubscribe": "Abbestellen",
        "done": "Sie haben „Newsletter und Sonderangebote“ abbestellt",
        "undo": "Rückgängig: wieder abonnieren",
    },
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fr", "de"])
def test_preferences_and_unsubscribe_in_the_subscribers_language(page, axe_check, language):
    topics = launch_topics()
    newsletter = topics["newsletter"]
    TopicTranslation.objects.create(topic=newsletter, language=language, name=WORDS[language]["topic"])
    subscriber = SubscriberFactory(email=f"e2e.{language}@example.com", language=language)
    SubscriptionFactory(subscriber=subscriber, topic=newsletter, frequency="twice_weekly")
    words = WORDS[language]

    # The preference center from an emailed link: in their language, though the browser asks for English.
    page.set_extra_http_headers({"Accept-Language": "en"})
    page.goto(preferences_url(subscriber))
    page.get_by_role("heading", name=words["preferences"]).wait_for()
    assert page.locator("html").get_attribute("lang") == language
    axe_check(page)
    page.get_by_role("combobox", name=words["topic"]).select_option("weekly")
    page.get_by_role("button", name=words["save"]).click()
    page.get_by_text(words["saved"]).wait_for()
    axe_check(page)
    assert subscriber.subscriptions.get().frequency == "weekly"

    # The unsubscribe link of a commercial email.
    page.goto(unsubscribe_url(subscriber, newsletter))
    page.get_by_role("heading", name=words["unsubscribe_heading"]).wait_for()
    axe_check(page)
    page.get_by_role("button", name=words["unsubscribe"], exact=True).click()
    page.get_by_role("heading", name=words["done"]).wait_for()
    page.get_by_role("button", name=words["undo"]).wait_for()
    axe_check(page)
    assert subscriber.subscriptions.get().state == "unsubscribed"
