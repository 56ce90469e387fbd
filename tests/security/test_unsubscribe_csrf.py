"""Issue 12, item 5: the unsubscribe URL skipped CSRF for every action.

Attack: a page on another site makes the reader's browser POST to their unsubscribe link (which the attacker
got from a forwarded email) with `action=resubscribe`, `pause` or `monthly`, cookieless, with no CSRF token.
Only the exact RFC 8058 body may skip CSRF, and it can only unsubscribe.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from subscriptions.models import Subscription
from subscriptions.tokens import Purpose, make_token


def unsubscribe_url(subscriber, topic) -> str:
    return reverse("subscriptions:unsubscribe", args=[make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topic)])


def state(subscriber, topic) -> tuple:
    s = Subscription.objects.get(subscriber=subscriber, topic=topic)
    return s.state, s.frequency, s.paused_until


@pytest.fixture
def unsubscribed(subscriber, topics):
    """The reader unsubscribed from the newsletter (so a forged resubscribe would re-grant consent)."""
    Client().post(unsubscribe_url(subscriber, topics["newsletter"]), {"List-Unsubscribe": "One-Click"})
    assert state(subscriber, topics["newsletter"])[0] == "unsubscribed"
    return subscriber


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"action": "resubscribe"},
        {"action": "resubscribe", "List-Unsubscribe": "One-Click"},  # the one-click field smuggled alongside
        "action=resubscribe&List-Unsubscribe=One-Click",
        "List-Unsubscribe=One-Click&action=resubscribe",
    ],
)
def test_a_cross_site_resubscribe_is_refused(unsubscribed, topics, ledger, body):
    url = unsubscribe_url(unsubscribed, topics["newsletter"])
    cross_site = Client(enforce_csrf_checks=True)
    if isinstance(body, str):
        response = cross_site.post(url, body, content_type="application/x-www-form-urlencoded")
    else:
        response = cross_site.post(url, body)
    assert response.status_code == 403
    assert state(unsubscribed, topics["newsletter"])[0] == "unsubscribed"
    assert ledger.new() == []


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["pause", "monthly", "weekly", "unsubscribe"])
def test_cross_site_pause_and_fewer_emails_are_refused(subscriber, topics, ledger, action):
    url = unsubscribe_url(subscriber, topics["newsletter"])
    response = Client(enforce_csrf_checks=True).post(url, {"action": action})
    assert response.status_code == 403
    assert state(subscriber, topics["newsletter"]) == ("active", "twice_weekly", None)
    assert ledger.new() == []


@pytest.mark.django_db
@pytest.mark.parametrize("multipart", [False, True])
def test_the_exact_rfc_8058_body_still_unsubscribes_without_csrf(subscriber, topics, ledger, multipart):
    url = unsubscribe_url(subscriber, topics["newsletter"])
    client = Client(enforce_csrf_checks=True)
    if multipart:
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
    else:
        response = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert state(subscriber, topics["newsletter"])[0] == "unsubscribed"
    assert [(e.action, e.method) for e in ledger.new()] == [("withdrawn", "one_click")]


def forms_on(html: str) -> list[dict[str, str]]:
    """Each POST form's hidden fields, as the browser would submit them."""
    forms = re.findall(r'<form method="post"[^>]*>(.*?)</form>', html, re.S)
    return [dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)) for form in forms]


@pytest.mark.django_db
def test_every_button_on_the_page_and_after_it_posts_the_pages_own_csrf_token(subscriber, topics):
    """The buttons carry the token in their own form: a browser (which enforces nothing else) gets a 200, not a 403."""
    url = unsubscribe_url(subscriber, topics["newsletter"])
    reader = Client(enforce_csrf_checks=True)
    forms = forms_on(reader.get(url).content.decode())
    assert {f.get("action") for f in forms} >= {"unsubscribe", "monthly", "pause"}
    assert all(f.get("csrfmiddlewaretoken") for f in forms)
    monthly = next(f for f in forms if f.get("action") == "monthly")
    done = reader.post(url, monthly)
    assert done.status_code == 200
    assert state(subscriber, topics["newsletter"])[:2] == ("active", "monthly")
    after = forms_on(done.content.decode())
    assert "unsubscribe" in {f.get("action") for f in after}
    assert all(f.get("csrfmiddlewaretoken") for f in after)
    response = reader.post(url, next(f for f in after if f.get("action") == "unsubscribe"))
    assert response.status_code == 200
    assert state(subscriber, topics["newsletter"])[0] == "unsubscribed"
