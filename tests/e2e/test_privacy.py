import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

AD_PARTNER = "https://tags.ad-partner.example/**"
NECESSARY = {"csrftoken", "sessionid", "cookie_choice"}


def watch_ad_partner(context) -> list[str]:
    """Answer the ad partner's tag locally and remember every request made for it."""
    requests: list[str] = []

    def fulfil(route):
        requests.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body="window.adPartnerLoaded = true;")

    context.route(AD_PARTNER, fulfil)
    return requests


def cookie_names(page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


@pytest.mark.django_db(transaction=True)
def test_first_visit_banner_sets_nothing_optional_and_reject_all_keeps_it_that_way(page, axe_check):
    ad_requests = watch_ad_partner(page.context)
    page.goto("/")
    banner = page.get_by_role("region", name="Cookies on Example Shop")
    expect(banner).to_be_visible()
    axe_check(page)
    assert cookie_names(page) <= NECESSARY - {"cookie_choice"}
    assert page.locator("script[data-consent-tag]").count() == 0

    # "equal visual weight": one element type, one style
    buttons = [banner.get_by_role("button", name=name) for name in ["Accept all", "Reject all", "Choose"]]
    style = "e => [e.tagName, getComputedStyle(e).backgroundColor, getComputedStyle(e).color, getComputedStyle(e).fontSize, getComputedStyle(e).fontWeight, getComputedStyle(e).borderStyle]"  # noqa: E501
    assert len({tuple(button.evaluate(style)) for button in buttons}) == 1

    before = cookie_names(page)
    buttons[1].click()
    expect(page.get_by_role("region", name="Cookies on Example Shop")).to_have_count(0)
    assert cookie_names(page) - before == {"cookie_choice"}
    [choice] = [cookie for cookie in page.context.cookies() if cookie["name"] == "cookie_choice"]
    assert choice["httpOnly"]
    assert choice["sameSite"] == "Lax"
    page.goto("/privacy/")
    axe_check(page)
    assert page.locator("script[data-consent-tag]").count() == 0
    assert ad_requests == []


@pytest.mark.django_db(transaction=True)
def test_accept_all_loads_the_partner_tag_only_without_gpc(page, browser, live_server, axe_check):
    ad_requests = watch_ad_partner(page.context)
    page.goto("/")
    page.get_by_role("button", name="Accept all").click()
    expect(page.locator("script[data-consent-tag]")).to_have_count(1)
    page.wait_for_function("window.adPartnerLoaded === true")
    assert len(ad_requests) == 1

    gpc = browser.new_context(base_url=live_server.url, extra_http_headers={"Sec-GPC": "1"})
    try:
        gpc_requests = watch_ad_partner(gpc)
        other = gpc.new_page()
        other.goto("/")
        expect(other.get_by_role("region", name="Cookies on Example Shop")).to_contain_text("Global Privacy Control")
        other.get_by_role("button", name="Accept all").click()
        other.goto("/privacy/cookies/")
        expect(other.get_by_role("status").filter(has_text="Global Privacy Control signal honoured")).to_be_visible()
        expect(other.get_by_label("Allow advertising cookies")).to_have_count(0)
        axe_check(other)
        other.goto("/privacy/ad-sharing/")
        expect(other.locator("main")).to_contain_text("Global Privacy Control signal honoured")
        axe_check(other)
        assert other.locator("script[data-consent-tag]").count() == 0
        assert gpc_requests == []
    finally:
        gpc.close()


@pytest.mark.django_db(transaction=True)
def test_cookie_settings_by_keyboard_alone(page, axe_check):
    page.goto("/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Choose":
            break
    else:
        pytest.fail("the Choose button is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Cookie settings", level=1)).to_be_visible()
    axe_check(page)

    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "cookie-analytics":
            break
    else:
        pytest.fail("the analytics checkbox is not reachable with Tab")
    page.keyboard.press("Space")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Save my choices":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Your cookie choices are saved.")).to_be_visible()
    expect(page.get_by_label("Allow analytics cookies")).to_be_checked()
    expect(page.get_by_label("Allow advertising cookies")).not_to_be_checked()
    axe_check(page)


@pytest.mark.django_db(transaction=True)
def test_signed_in_privacy_pages(page, axe_check):
    user = UserFactory(email="ada@example.com")
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Reject all").click()
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.goto("/privacy/ad-sharing/")
    page.get_by_label("Don't share my data for tailored advertising").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Your advertising choice is saved.")).to_be_visible()
    axe_check(page)
    page.goto("/privacy/")
    expect(page.get_by_role("heading", name="Your consent history")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sharing with our advertising partner")
    axe_check(page)


@pytest.mark.django_db(transaction=True)
def test_the_banner_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        ad_requests = watch_ad_partner(context)
        page = context.new_page()
        page.goto("/")
        page.get_by_role("button", name="Choose").click()
        expect(page.get_by_role("heading", name="Cookie settings", level=1)).to_be_visible()
        page.get_by_label("Allow preferences cookies").check()
        page.get_by_role("button", name="Save my choices").click()
        expect(page.get_by_text("Your cookie choices are saved.")).to_be_visible()
        page.goto("/")
        expect(page.get_by_role("region", name="Cookies on Example Shop")).to_have_count(0)
        assert ad_requests == []
    finally:
        context.close()
