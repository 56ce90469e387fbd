"""Issue 12, item 5: the unsubscribe URL skipped CSRF for every action.

Attack: a page on another site makes the reader's browser POST to their unsubscribe link (which the attacker
got from a forwarded email) with `action=resubscribe`, `pause` or `monthly`, cookieless, with no CSRF token.
Only the exact RFC 8058 body may skip CSRF, and it can only unsubscribe.
"""

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


@pytest.mark.django_db
def test_the_page_buttons_still_work_with_the_pages_csrf_token(subscriber, topics):
    url = unsubscribe_url(subscriber, topics["newsletter"])
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(url)
    token = page.context["csrf_token"]
    response = reader.post(url, {"action": "monthly", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 200
    assert state(subscriber, topics["newsletter"])[:2] == ("active", "monthly")
