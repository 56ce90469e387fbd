"""Issue 12, item 11: NUL bytes in query and path parameters answered 500.

Attack: `/shop/?category=%00`, `/shop/?brand=a%00b`, `/shop/orders/%00/`, the admin's
`…/edition/1/preview/?subscriber=abc` (PostgreSQL refuses NUL in text; "abc" is not a subscriber id). Here every URL
pattern of the site, the admin's included, gets NUL bytes, invalid UTF-8 and 100 kB values in each of its path
parameters and in the query parameters the site's pages read, as an anonymous visitor, as a shopper and as staff
(admin URLs as staff only: the others are sent to the login page before any parameter is read). The malformed ones
answer 400 at the door (config/middleware.py); wrong-but-wellformed ones ("abc", a 30-digit number) must never be a
5xx either.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import StaffFactory, UserFactory

MALFORMED = {"NUL": "%00", "NUL inside": "a%00b", "invalid UTF-8": "%FF%FE", "100 kB": "a" * 100_000}
WELLFORMED_BUT_WRONG = {"letters": "abc", "huge number": "9" * 30, "negative": "-1"}
# Every query parameter a page of the site reads.
QUERY_NAMES = ["category", "brand", "page", "reviews_page", "reviews_sort", "subscriber", "version", "next", "q", "o"]
PLACEHOLDER = re.compile(r"<[^>]+>|\(\?P<[^>]+>[^)]*\)")


def url_templates(patterns=None, prefix: str = "") -> list[str]:
    """Every URL pattern of the site as a path with "{}" where each parameter goes."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(entry, URLResolver):
            found += url_templates(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            template = PLACEHOLDER.sub("{}", route.replace("{", "{{").replace("}", "}}"))
            if not re.search(r"[\^$*+?()\[\]\\|]", template):
                found.append("/" + template)
    return sorted(set(found))


def test_every_url_pattern_is_fuzzed():
    templates = url_templates()
    assert len(templates) > 100
    assert "/shop/orders/{}/" in templates
    assert "/admin/subscriptions/edition/{}/preview/" in templates


@pytest.fixture(params=["anonymous", "shopper", "staff"])
def visitor(request, db):
    client = Client()
    client.role = request.param
    if request.param == "shopper":
        client.force_login(UserFactory(email="fuzz-shopper@example.com"))
    elif request.param == "staff":
        client.force_login(StaffFactory(email="fuzz-staff@example.org"))
    return client


def urls_for(visitor: Client) -> list[str]:
    templates = url_templates()
    return templates if visitor.role == "staff" else [t for t in templates if not t.startswith("/admin/")]


@pytest.mark.django_db
def test_malformed_values_in_path_and_query_answer_400(visitor):
    problems = []
    for template in urls_for(visitor):
        for name, value in MALFORMED.items():
            urls = [template.format(*[value] * template.count("{}"))] if "{}" in template else []
            urls.append(
                template.format(*["1"] * template.count("{}")) + "?" + "&".join(f"{q}={value}" for q in QUERY_NAMES)
            )
            for url in urls:
                status = visitor.get(url).status_code
                if status not in (400, 404):
                    problems.append(f"{url[:120]} ({name}): {status}")
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_wellformed_but_wrong_values_never_answer_5xx(visitor, topics):
    problems = []
    for template in urls_for(visitor):
        for name, value in WELLFORMED_BUT_WRONG.items():
            fill = quote(value)
            urls = [template.format(*[fill] * template.count("{}"))] if "{}" in template else []
            urls.append(
                template.format(*["1"] * template.count("{}")) + "?" + "&".join(f"{q}={fill}" for q in QUERY_NAMES)
            )
            for url in urls:
                status = visitor.get(url).status_code
                # /readyz answers 503 by design here: the tests configure no ESP (docs/deploy.md).
                if status >= 500 and not (url.startswith("/readyz") and status == 503):
                    problems.append(f"{url[:120]} ({name}): {status}")
    assert problems == [], "\n".join(problems)
