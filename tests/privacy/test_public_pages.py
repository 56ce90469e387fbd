"""With no choice made, no public page renders a third-party tag or sets a non-necessary cookie.

The pages are discovered from the URLconf, so pages other apps add later are covered too."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

NECESSARY = {"csrftoken", "sessionid", "cookie_choice"}
SKIP = ("admin/", "demo/", "anymail/")  # the admin, staff-only demo pages, ESP webhooks


def parameterless_paths(patterns=None, prefix: str = "") -> list[str]:
    paths = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIP) or "<" in route or "(" in route or "\\" in route:
            continue
        if isinstance(entry, URLResolver):
            paths.extend(parameterless_paths(entry.url_patterns, route))
        elif isinstance(entry, URLPattern):
            paths.append("/" + route.lstrip("^").rstrip("$"))
    return sorted(set(paths))


PUBLIC_PATHS = parameterless_paths()


def test_the_discovery_finds_the_pages_we_know():
    assert {"/", "/privacy/", "/privacy/cookies/", "/privacy/ad-sharing/", "/accounts/login/"} <= set(PUBLIC_PATHS)


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_no_choice_no_tag_and_no_optional_cookie(client, settings, path):
    settings.PRIVACY_THIRD_PARTY_TAGS = {
        "preferences": ["https://prefs.example/p.js"],
        "analytics": ["https://stats.example/a.js"],
        "advertising": ["https://tags.ad-partner.example/tag.js"],
    }
    response = client.get(path)
    assert response.status_code < 500
    set_cookies = {name for name, morsel in response.cookies.items() if morsel.value}
    assert set_cookies <= NECESSARY - {"cookie_choice"}
    html = response.content.decode(errors="replace")
    for host in ["prefs.example", "stats.example", "tags.ad-partner.example"]:
        assert host not in html
    assert not re.search(r"<script[^>]+src=\"https?://", html)  # no third-party script of any kind
