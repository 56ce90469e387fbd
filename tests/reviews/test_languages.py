"""Issue 16 for reviews: the form and panel speak the reader's language, the confirmation email the writer's, and a
reviewer's email appears on no page in any language."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reviews.models import Review
from tests.factories import ProductFactory, ReviewFactory, past_age_screen

pytestmark = pytest.mark.django_db

FORM = {
    "rating": "5",
    "title": "Sehr gut",
    "body": "Warm und bequem.",
    "display_name": "Lena",
    "email": "lena.private@example.org",
    "city": "Berlin",
    "country": "DE",
}


@pytest.fixture(autouse=True)
def unlimited(settings):
    settings.REVIEWS_RATE_LIMIT_PER_IP = 10_000
    settings.REVIEWS_RATE_LIMIT_PER_EMAIL = 10_000
    settings.REVIEWS_ATTEMPT_LIMIT_PER_IP = 10_000


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "fr",
            ["Avis", "Donner votre avis", "Votre adresse e-mail", "Ville", "4,0 sur 5", "(2 avis)", "Par Ada, Lyon"],
        ),
        ("de", ["Bewertungen", "Bewertung schreiben", "Ihre E-Mail-Adresse", "Stadt", "4,0 von 5", "(2 Bewertungen)"]),
    ],
)
def test_the_reviews_panel_and_form_speak_the_readers_language(client, language, texts):
    product = ProductFactory()
    ReviewFactory(product=product, display_name="Ada", rating=5)
    ReviewFactory(product=product, display_name="Bo", rating=3)
    html = past_age_screen(client).get(product.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for text in texts:
        assert text in html, f"{text!r} not in the {language} panel"
    for english in ["Write a review", "Your email address", "out of 5", "Verified purchase", "Submit your review"]:
        assert english not in html


def test_the_personal_details_warning_is_in_the_readers_language(client):
    product = ProductFactory()
    data = {**FORM, "body": "Schreiben Sie mir: lena@example.net"}
    html = (
        past_age_screen(client)
        .post(reverse("reviews:write", args=[product.slug]), data, HTTP_ACCEPT_LANGUAGE="de")
        .content.decode()
    )
    assert "Ihre Bewertung scheint eine E-Mail-Adresse zu enthalten." in html
    assert "Trotzdem senden" in html
    assert not Review.objects.exists()


def test_the_confirmation_email_is_in_the_language_of_the_page_the_review_was_written_on(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    product = ProductFactory(name="Merino crew neck")
    with django_capture_on_commit_callbacks(execute=True):
        response = past_age_screen(client).post(
            reverse("reviews:write", args=[product.slug]), {**FORM, "language": "fr"}, HTTP_ACCEPT_LANGUAGE="de"
        )
    assert response.status_code == 302
    assert Review.objects.get().language == "de"  # the page's, never a posted field
    [mail] = mailoutbox
    assert mail.subject == "Bestätigen Sie Ihre Bewertung von Merino crew neck"
    assert "Meine Bewertung bestätigen" in mail.alternatives[0][0]
    assert "Der Link funktioniert einmal" in mail.body


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_a_reviewers_email_is_on_no_page_in_any_language(client, language):
    product = ProductFactory()
    ReviewFactory(product=product, email="published.private@example.org", city="Lyon")
    ReviewFactory(product=product, email="pending.private@example.org", status="pending", published_at=None)
    anonymous = past_age_screen(Client())
    pages = [
        reverse("home"),
        reverse("shop:product_list"),
        product.get_absolute_url(),
        product.get_absolute_url() + "?reviews_sort=rating",
        reverse("reviews:write", args=[product.slug]),
    ]
    with translation.override(language):
        for url in pages:
            response = anonymous.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            html = response.content.decode().lower()
            assert f'lang="{language}"' in html
            for email in ("published.private@example.org", "pending.private@example.org"):
                assert email not in html, f"{email} on {url} in {language}"
                assert email.split("@")[0] not in html
    # the location is shown, the email never
    html = anonymous.get(product.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "Lyon" in html
