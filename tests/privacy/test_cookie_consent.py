import re

import pytest
from django.core import signing
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.urls import reverse

from privacy.models import ConsentEvent, PrivacySettings
from tests.factories import UserFactory

COOKIES_URL = reverse("privacy:cookies")
CHOICE_COOKIE = "cookie_choice"
AD_TAG = "tags.ad-partner.example"
NECESSARY = {"csrftoken", "sessionid", CHOICE_COOKIE}


def sign(value: str) -> str:
    """A cookie as the site itself would sign it."""
    return signing.get_cookie_signer(salt=CHOICE_COOKIE + "privacy.cookie_choice").sign(value)


def set_cookies(response) -> set[str]:
    return {name for name, morsel in response.cookies.items() if morsel.value}


def banner_shown(html: str) -> bool:
    return 'class="cookie-banner"' in html


@pytest.mark.django_db
def test_first_visit_shows_the_banner_with_three_equal_buttons_and_sets_only_necessary_cookies(client):
    response = client.get("/")
    html = response.content.decode()
    assert banner_shown(html)
    for label in ["Accept all", "Reject all", "Choose"]:
        assert f'class="consent-button">{label}</button>' in html
    assert html.count('<button type="submit" name="choice"') == 3
    assert AD_TAG not in html
    # No third-party script before a choice: the only scripts are the shop's own static files.
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all(re.search(r'src="/static/[^"]+"', tag) for tag in scripts), scripts
    assert set_cookies(response) <= NECESSARY - {CHOICE_COOKIE}


@pytest.mark.django_db
def test_guest_accept_all_hides_the_banner_renders_the_ad_tag_and_writes_no_event(client):
    response = client.post(COOKIES_URL, {"choice": "accept_all", "next": "/?page=2"})
    assert response.status_code == 302
    assert response["Location"] == "/?page=2"
    assert set_cookies(response) == {CHOICE_COOKIE}
    html = client.get("/").content.decode()
    assert not banner_shown(html)
    assert f'<script src="https://{AD_TAG}/tag.js" async data-consent-tag>' in html
    assert not ConsentEvent.objects.exists()
    assert not PrivacySettings.objects.exists()


@pytest.mark.django_db
def test_guest_reject_all_hides_the_banner_and_keeps_every_tag_out(client):
    response = client.post(COOKIES_URL, {"choice": "reject_all", "next": "/"})
    assert set_cookies(response) == {CHOICE_COOKIE}
    html = client.get("/").content.decode()
    assert not banner_shown(html)
    assert AD_TAG not in html
    assert "Reject all" not in html


@pytest.mark.django_db
def test_choose_goes_to_the_settings_page_and_saves_nothing(client):
    response = client.post(COOKIES_URL, {"choice": "customise", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == COOKIES_URL
    assert not set_cookies(response)
    page = client.get(COOKIES_URL).content.decode()
    assert "You haven't made a choice yet" in page
    for cookie in ["sessionid", "csrftoken", CHOICE_COOKIE]:
        assert f"<code>{cookie}</code>" in page
    assert "Always on" in page
    assert not banner_shown(page)  # the page itself is the choice


@pytest.mark.django_db
def test_the_settings_page_saves_single_categories_and_gates_follow_them(client, settings):
    settings.PRIVACY_THIRD_PARTY_TAGS = {
        "analytics": ["https://stats.example/a.js"],
        "advertising": ["https://ads.example/t.js"],
    }
    response = client.post(COOKIES_URL, {"choice": "save", "categories": ["analytics"]}, follow=True)
    page = response.content.decode()
    assert "Your cookie choices are saved." in page
    assert 'id="cookie-analytics" checked' in page
    assert 'id="cookie-advertising">' in page
    home = client.get("/").content.decode()
    assert "https://stats.example/a.js" in home
    assert "https://ads.example/t.js" not in home


@pytest.mark.django_db
def test_signed_in_choices_are_ledgered_only_when_a_value_changes(client):
    user = UserFactory()
    client.force_login(user)
    client.post(COOKIES_URL, {"choice": "reject_all", "next": "/"})
    first = list(ConsentEvent.objects.order_by("purpose").values_list("purpose", "action", "value", "method"))
    assert first == [
        ("cookies:advertising", "withdrawn", "off", "cookie_banner"),
        ("cookies:analytics", "withdrawn", "off", "cookie_banner"),
        ("cookies:preferences", "withdrawn", "off", "cookie_banner"),
    ]
    assert set(ConsentEvent.objects.values_list("subject", flat=True)) == {f"user:{user.pk}"}

    client.post(COOKIES_URL, {"choice": "save", "categories": ["analytics"]})
    assert ConsentEvent.objects.count() == 4
    latest = ConsentEvent.objects.first()
    assert (latest.purpose, latest.action, latest.user) == ("cookies:analytics", "granted", user)

    client.post(COOKIES_URL, {"choice": "save", "categories": ["analytics"]})  # nothing changed
    assert ConsentEvent.objects.count() == 4
    row = PrivacySettings.objects.get(user=user)
    assert (row.preferences_cookies, row.analytics_cookies, row.advertising_cookies) == (False, True, False)


@pytest.mark.django_db
def test_an_account_answer_wins_over_the_browser_cookie(client):
    user = UserFactory()
    client.force_login(user)
    client.post(COOKIES_URL, {"choice": "reject_all", "next": "/"})
    # a different answer left in the browser (e.g. given as a guest earlier)
    client.cookies[CHOICE_COOKIE] = sign("preferences,analytics,advertising")
    html = client.get("/").content.decode()
    assert AD_TAG not in html
    assert not banner_shown(html)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"choice": "save", "categories": ["analytics", "fingerprinting"]},
        {"choice": "everything"},
        {},
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(client, data):
    user = UserFactory()
    client.force_login(user)
    response = client.post(COOKIES_URL, data)
    assert response.status_code == 400
    assert "We couldn't save that choice" in response.content.decode()
    assert CHOICE_COOKIE not in set_cookies(response)
    assert not ConsentEvent.objects.exists()
    assert not PrivacySettings.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        "preferences,analytics,advertising",  # unsigned
        "preferences,analytics,advertising:forged-signature",
        None,  # signed correctly, but a value we never write
    ],
)
def test_a_tampered_cookie_counts_as_no_choice(client, value):
    if value is None:
        value = sign("advertising,tracking")
    client.cookies[CHOICE_COOKIE] = value
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert banner_shown(html)
    assert AD_TAG not in html


@pytest.mark.django_db
def test_next_must_stay_on_this_site(client):
    response = client.post(COOKIES_URL, {"choice": "reject_all", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_the_cookie_page_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    user = UserFactory()
    client.force_login(user)
    client.post(COOKIES_URL, {"choice": "accept_all", "next": "/"})
    with django_assert_max_num_queries(4):  # session, user, privacy settings
        assert client.get(COOKIES_URL).status_code == 200


def render(source: str, request=None) -> str:
    context = Context({"request": request} if request is not None else {})
    return Template("{% load consent %}" + source).render(context)


@pytest.mark.django_db
def test_consent_gate_renders_its_content_only_with_consent():
    from django.contrib.auth.models import AnonymousUser

    factory = RequestFactory()
    source = (
        '{% consent_gate "analytics" %}COUNTED{% end_consent_gate %}'
        '{% consent_gate "necessary" %}N{% end_consent_gate %}'
    )
    request = factory.get("/")
    request.user = AnonymousUser()
    assert render(source, request) == "N"

    request = factory.get("/", HTTP_COOKIE=f"{CHOICE_COOKIE}={sign('analytics')}")
    request.user = AnonymousUser()
    assert render(source, request) == "COUNTEDN"
    assert render(source) == "N"  # no request (an email, a cached fragment): closed

    with pytest.raises(TemplateSyntaxError, match="unknown cookie category"):
        render('{% consent_gate "tracking" %}x{% end_consent_gate %}')
    request = factory.get("/", HTTP_COOKIE=f"{CHOICE_COOKIE}={sign('analytics')}")
    request.user = AnonymousUser()
    variable = Template("{% load consent %}{% consent_gate kind %}x{% end_consent_gate %}")
    assert variable.render(Context({"request": request, "kind": "tracking"})) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("path", [COOKIES_URL, reverse("privacy:dashboard"), "/accounts/login/", "/unsubscribe/tok/"])
def test_pages_with_personal_data_or_tokens_never_run_a_partner_tag(client, path):
    client.post(COOKIES_URL, {"choice": "accept_all", "next": "/"})
    assert AD_TAG in client.get("/").content.decode()
    assert AD_TAG not in client.get(path).content.decode()


@pytest.mark.django_db
def test_an_answer_given_as_a_guest_is_adopted_by_the_account_on_sign_in(client):
    from privacy.selectors import ad_feed_audience
    from privacy.services import set_ad_sharing

    user = UserFactory()
    set_ad_sharing(user=user, share=True)
    client.post(COOKIES_URL, {"choice": "reject_all", "next": "/"})
    client.force_login(user)
    assert ad_feed_audience().filter(pk=user.pk).exists()  # the account said yes; its cookie answer is unknown
    client.get("/")
    row = PrivacySettings.objects.get(user=user)
    assert row.cookies_chosen_at is not None
    assert (row.preferences_cookies, row.analytics_cookies, row.advertising_cookies) == (False, False, False)
    assert ConsentEvent.objects.filter(user=user, method="cookie_banner").count() == 3
    assert not ad_feed_audience().filter(pk=user.pk).exists()
    client.get("/")
    assert ConsentEvent.objects.filter(user=user, method="cookie_banner").count() == 3  # adopted once


@pytest.mark.django_db
def test_a_new_answer_posted_while_signed_in_is_not_preceded_by_an_adoption(client):
    user = UserFactory()
    client.post(COOKIES_URL, {"choice": "reject_all", "next": "/"})
    client.force_login(user)
    client.post(COOKIES_URL, {"choice": "accept_all", "next": "/"})
    assert set(ConsentEvent.objects.filter(user=user).values_list("action", flat=True)) == {"granted"}


@pytest.mark.django_db
def test_every_cookie_the_age_check_sets_is_listed_on_the_cookie_page():
    """The cookie page names every cookie we set: the age check's two (refusal, and an accepted age) included."""
    from django.test import Client

    from tests.factories import age_answer

    listed = Client().get(COOKIES_URL).content.decode()
    check = reverse("accounts:age_check") + "?next=/shop/contact/"
    adult, child = Client(), Client()
    set_by_adult = set_cookies(adult.post(check, age_answer("1990-05-17")))
    set_by_child = set_cookies(child.post(check, age_answer("2020-05-17")))
    assert "age_screen_passed" in set_by_adult
    assert "age_screen" in set_by_child
    for name in set_by_adult | set_by_child | NECESSARY:
        assert f"<code>{name}</code>" in listed or f">{name}<" in listed, f"{name} is set but not on the cookie page"
