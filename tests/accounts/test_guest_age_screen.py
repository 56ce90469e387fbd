"""Every form that collects a guest's personal data sits behind signup's neutral age screen (issue 13, item 10).

Review, contest entry and contact: asked once per browser; under 13, the same 24-hour refusal as signup and
nothing stored: no row, no session, no log line with what was typed.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.models import Contest
from tests.accounts.test_signup import SIGNUP_URL, answer, dob, row_counts, signup_data
from tests.factories import PASSWORD, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

CHECK_URL = reverse("accounts:age_check")
CHILD = {
    "name": "Tim Child",
    "first_name": "Tim",
    "display_name": "Tim Child",
    "email": "tim.child@example.com",
    "city": "Littletown",
    "country": "GB",
    "rating": "5",
    "title": "Best toy",
    "body": "I love it so much.",
    "subject": "My order",
    "message": "Hello, I am 11 and live at 4 Elm Street.",
}


@pytest.fixture
def forms():
    """Each guest form's URL and what a child would post to it."""
    now = timezone.now()
    contest = Contest.objects.create(
        title="Summer draw",
        slug="summer-draw",
        prize="A linen shirt",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=7),
        winners_count=2,
    )
    product = ProductFactory()
    return {
        "review": reverse("reviews:write", kwargs={"slug": product.slug}),
        "contest": contest.get_absolute_url(),
        "contact": reverse("shop:contact"),
    }


def personal_data_absent(text: str) -> bool:
    return not any(value in text for value in ["tim.child", "Tim Child", "Littletown", "Elm Street", "I love it"])


@pytest.mark.parametrize("which", ["review", "contest", "contact"])
def test_a_guest_form_asks_the_age_screen_first_and_a_post_without_it_stores_nothing(which, forms, unscreened_client):
    url = forms[which]
    response = unscreened_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == CHECK_URL + "?" + urlencode({"next": url})

    before = row_counts()
    posted = unscreened_client.post(url, CHILD)
    assert posted.status_code == 302
    assert posted["Location"].startswith(CHECK_URL)
    assert row_counts() == before


@pytest.mark.parametrize("which", ["review", "contest", "contact"])
def test_under_13_on_a_guest_form_stores_nothing_and_refuses_for_a_day(which, forms, unscreened_client, caplog):
    caplog.set_level(logging.DEBUG)
    url = forms[which]
    before = row_counts()
    response = unscreened_client.post(CHECK_URL + "?" + urlencode({"next": url}), {**answer(dob(12)), "next": url})
    assert response.status_code == 403
    assert "ask a parent or guardian" in response.content.decode()
    assert "sessionid" not in response.cookies
    assert response.cookies["age_screen"]["max-age"] == 24 * 3600  # signup's refusal, the same day
    assert "age_screen_passed" not in response.cookies or response.cookies["age_screen_passed"].value == ""

    # the child fills in the form anyway, and tries an adult date (the back button)
    for attempt in [
        unscreened_client.post(url, CHILD),
        unscreened_client.get(url),
        unscreened_client.post(CHECK_URL, {**answer(dob(30)), "next": url}),
        unscreened_client.post(url, CHILD),
    ]:
        assert attempt.status_code == 403
        assert "We have not kept anything you entered" in attempt.content.decode()
        assert personal_data_absent(attempt.content.decode())
    assert row_counts() == before
    assert personal_data_absent(caplog.text)
    assert "date_of_birth" not in caplog.text
    # and the signup is refused too: one refusal for the browser
    assert "ask a parent or guardian" in unscreened_client.get(SIGNUP_URL).content.decode()


def test_an_adult_answers_once_per_browser_for_every_form(forms, unscreened_client):
    response = unscreened_client.post(CHECK_URL, {**answer(dob(30)), "next": forms["review"]})
    assert response.status_code == 302
    assert response["Location"] == forms["review"]
    assert "sessionid" not in response.cookies  # the band travels in a signed cookie; no date anywhere
    assert response.cookies["age_screen_passed"]["max-age"] == 365 * 86400
    for url in forms.values():
        assert unscreened_client.get(url).status_code == 200, url
    # coming back to the screen goes straight on
    assert unscreened_client.get(CHECK_URL + "?next=" + forms["contact"])["Location"] == forms["contact"]


def test_13_to_17_may_use_the_guest_forms(forms, unscreened_client):
    unscreened_client.post(CHECK_URL, {**answer(dob(15)), "next": forms["contest"]})
    assert unscreened_client.get(forms["contest"]).status_code == 200


def test_signups_age_screen_counts_for_the_guest_forms(forms, unscreened_client):
    unscreened_client.post(reverse("accounts:age_screen"), answer(dob(30)))
    assert unscreened_client.get(forms["contact"]).status_code == 200


def test_a_logged_in_account_is_never_asked(forms, unscreened_client):
    user = UserFactory()
    unscreened_client.login(email=user.email, password=PASSWORD)
    for url in forms.values():
        assert unscreened_client.get(url).status_code == 200, url


def test_a_forged_pass_cookie_is_ignored(forms, unscreened_client):
    unscreened_client.cookies["age_screen_passed"] = "adult"  # unsigned
    assert unscreened_client.get(forms["review"]).status_code == 302


def test_the_guest_screen_is_neutral_and_keeps_the_answer_on_an_error(unscreened_client):
    html = unscreened_client.get(CHECK_URL + "?next=/shop/contact/").content.decode()
    main = html.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    visible = re.sub(r"<[^>]+>", " ", main)
    assert "Date of birth" in visible
    for hint in ["13", "18", "adult", "old enough", "minimum", "under", "account"]:
        assert hint not in visible.lower()

    wrong = unscreened_client.post(CHECK_URL, {**answer("2001-02-31"), "next": "/shop/contact/"})
    assert wrong.status_code == 200
    assert "There is a problem" in wrong.content.decode()
    assert "must be a real date" in wrong.content.decode()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "abc", "home", "/\\evil.example"]
)
def test_the_screen_only_sends_you_back_to_this_site(next_url, unscreened_client):
    response = unscreened_client.post(CHECK_URL, {**answer(dob(30)), "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_product_page_links_to_the_form_until_the_screen_is_answered(unscreened_client):
    product = ProductFactory()
    html = unscreened_client.get(product.get_absolute_url()).content.decode()
    assert 'name="display_name"' not in html
    assert f'href="{reverse("reviews:write", kwargs={"slug": product.slug})}"' in html
    unscreened_client.post(CHECK_URL, {**answer(dob(40)), "next": "/"})
    assert 'name="display_name"' in unscreened_client.get(product.get_absolute_url()).content.decode()


def test_signup_still_needs_its_own_screen_within_two_hours(unscreened_client):
    """The guest pass never stands in for signup's band (the account records it at signup)."""
    unscreened_client.post(CHECK_URL, {**answer(dob(30)), "next": "/"})
    response = unscreened_client.post(SIGNUP_URL, signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:age_screen")
