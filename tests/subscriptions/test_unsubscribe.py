from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.middleware import MalformedUrlMiddleware
from privacy.models import ConsentEvent
from subscriptions.models import Subscription
from subscriptions.selectors import eligible_subscriptions
from subscriptions.tokens import Purpose, make_token
from tests.factories import SubscriberFactory, SubscriptionFactory
from tests.fuzz import examples

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def unsubscribe_url(subscriber, topic) -> str:
    return reverse("subscriptions:unsubscribe", args=[make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topic)])


def state(subscriber, topic) -> tuple[str, str, object]:
    s = Subscription.objects.get(subscriber=subscriber, topic=topic)
    return s.state, s.frequency, s.paused_until


@pytest.mark.django_db
def test_get_shows_one_button_and_fewer_emails_choices_but_changes_nothing(client, subscriber, topics, ledger):
    url = unsubscribe_url(subscriber, topics["newsletter"])
    for _ in range(3):  # mail scanners follow links, sometimes more than once
        response = client.get(url)
        assert response.status_code == 200
    page = response.content.decode()
    assert "Unsubscribe from “Newsletter and special offers”?" in page
    assert 'value="unsubscribe"' in page
    for choice in ["Once a week", "Once a month", "Pause for 90 days"]:
        assert choice in page
    assert "reader@example.com" not in page  # masked: r•••@example.com
    assert "r•••@example.com" in page
    assert 'name="robots" content="noindex' in page
    assert state(subscriber, topics["newsletter"]) == ("active", "twice_weekly", None)
    assert ledger.new() == []
    assert client.head(url).status_code == 405


@pytest.mark.django_db
def test_post_unsubscribes_and_offers_undo(client, subscriber, topics, ledger):
    url = unsubscribe_url(subscriber, topics["newsletter"])
    response = client.post(url, {"action": "unsubscribe"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "You're unsubscribed from “Newsletter and special offers”" in page
    assert 'value="resubscribe"' in page
    assert state(subscriber, topics["newsletter"])[0] == "unsubscribed"
    assert not eligible_subscriptions(topics["newsletter"]).exists()
    [event] = ledger.new()
    assert (event.action, event.method, event.purpose) == ("withdrawn", "emailed_link", "topic:newsletter")

    undo = client.post(url, {"action": "resubscribe"})
    assert "You're subscribed to “Newsletter and special offers” again" in undo.content.decode()
    assert state(subscriber, topics["newsletter"]) == ("active", "twice_weekly", None)
    assert [e.action for e in ledger.new()] == ["withdrawn", "granted"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "expected_frequency", "paused", "heading"),
    [
        ("weekly", "weekly", False, "once a week from now on"),
        ("monthly", "monthly", False, "once a month from now on"),
        ("pause", "twice_weekly", True, "is paused until"),
    ],
)
def test_fewer_emails_instead(client, subscriber, topics, ledger, action, expected_frequency, paused, heading):
    response = client.post(unsubscribe_url(subscriber, topics["newsletter"]), {"action": action})
    assert heading in response.content.decode()
    current_state, frequency, paused_until = state(subscriber, topics["newsletter"])
    assert (current_state, frequency, paused_until is not None) == ("active", expected_frequency, paused)
    [event] = ledger.new()
    assert (event.action, event.method) == ("changed", "emailed_link")
    assert eligible_subscriptions(topics["newsletter"]).exists() is not paused


@pytest.mark.django_db
def test_a_frequency_the_topic_does_not_offer_is_refused(client, topics, ledger):
    subscription = SubscriptionFactory(topic=topics["contests"], frequency="monthly")
    url = unsubscribe_url(subscription.subscriber, topics["contests"])
    assert "Twice a week" not in client.get(url).content.decode()
    response = client.post(url, {"action": "twice_weekly"})
    assert response.status_code == 400
    assert state(subscription.subscriber, topics["contests"]) == ("active", "monthly", None)
    assert ledger.new() == []


@pytest.mark.django_db
@pytest.mark.parametrize("multipart", [False, True])
def test_one_click_works_without_session_or_csrf_token_and_answers_200(subscriber, topics, ledger, multipart):
    client = Client(enforce_csrf_checks=True)
    url = unsubscribe_url(subscriber, topics["newsletter"])
    if multipart:
        response = client.post(url, ONE_CLICK)  # the test client's default is multipart/form-data
    else:
        response = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200  # never a redirect: providers don't follow redirected POSTs
    assert not response.cookies
    assert state(subscriber, topics["newsletter"])[0] == "unsubscribed"
    [event] = ledger.new()
    assert (event.action, event.method, event.purpose) == ("withdrawn", "one_click", "topic:newsletter")

    again = client.post(url, ONE_CLICK)  # retries are harmless
    assert again.status_code == 200
    assert len(ledger.new()) == 1


def statements(client, url) -> list[str]:
    """The SQL one request sends, less the savepoints of the test's own transaction."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, ONE_CLICK).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.mark.django_db
def test_one_click_costs_two_statements_and_no_transaction(subscriber, topics, ledger):
    """The one-click POST is the hot path of every mailing (make load, README "Load"): the token's subscriber and
    topic in one SELECT (through their subscription row), then ONE statement: the conditional UPDATE and, only when
    it changed the row, the ledger row with the policy version in force read inside it
    (privacy.services.record_consent_on_update). No BEGIN/COMMIT, no lock of its own. A retry sends the same two
    statements and writes nothing. More statements here is a regression."""
    SubscriptionFactory(subscriber=subscriber, topic=topics["contests"], frequency="monthly")  # not read, not locked
    client = Client(enforce_csrf_checks=True)
    url = unsubscribe_url(subscriber, topics["newsletter"])
    sql = statements(client, url)
    assert [q.split(" ", 1)[0] for q in sql] == ["SELECT", "WITH"]
    assert sql[1].startswith('WITH changed AS (UPDATE "subscriptions_subscription"')
    assert 'INSERT INTO "privacy_consentevent"' in sql[1]
    assert 'SELECT U0."id" FROM "privacy_policyversion" U0' in sql[1] or '"privacy_policyversion"."id"' in sql[1]
    assert '"body"' not in sql[1]  # the policy's id, never its text
    assert state(subscriber, topics["newsletter"])[0] == "unsubscribed"
    assert state(subscriber, topics["contests"])[0] == "active"
    subscription = Subscription.objects.get(subscriber=subscriber, topic=topics["newsletter"])
    assert subscription.unsubscribed_at is not None
    assert subscription.updated_at == subscription.unsubscribed_at
    assert [q.split(" ", 1)[0] for q in statements(client, url)] == ["SELECT", "WITH"]
    assert len(ledger.new()) == 1


@pytest.mark.django_db
def test_the_ledger_names_the_policy_in_force_when_one_click_runs(subscriber, topics, ledger):
    from django.utils import timezone

    from privacy.models import PolicyVersion

    now = timezone.now()
    PolicyVersion.objects.create(version="old", body="x", effective_at=now - timezone.timedelta(days=30))
    current = PolicyVersion.objects.create(version="now", body="y", effective_at=now - timezone.timedelta(days=1))
    PolicyVersion.objects.create(version="next", body="z", effective_at=now + timezone.timedelta(days=7))
    Client().post(unsubscribe_url(subscriber, topics["newsletter"]), ONE_CLICK)
    [event] = ledger.new()
    assert event.policy_version == current


@pytest.mark.django_db
def test_one_click_only_touches_the_topic_the_email_was_for(subscriber, topics):
    SubscriptionFactory(subscriber=subscriber, topic=topics["contests"], frequency="monthly")
    Client(enforce_csrf_checks=True).post(unsubscribe_url(subscriber, topics["contests"]), ONE_CLICK)
    assert state(subscriber, topics["contests"])[0] == "unsubscribed"
    assert state(subscriber, topics["newsletter"])[0] == "active"


@pytest.mark.django_db
def test_a_token_for_a_never_read_topic_is_harmless(client, subscriber, topics, ledger):
    response = client.post(unsubscribe_url(subscriber, topics["contests"]), ONE_CLICK)
    assert response.status_code == 200
    assert ledger.new() == []
    assert not Subscription.objects.filter(subscriber=subscriber, topic=topics["contests"]).exists()


@pytest.mark.django_db
def test_a_token_never_changes_anyone_else(client, subscriber, topics):
    other = SubscriberFactory(email="other@example.com")
    SubscriptionFactory(subscriber=other, topic=topics["newsletter"], frequency="weekly")
    url = unsubscribe_url(subscriber, topics["newsletter"])
    client.post(url, ONE_CLICK)
    client.post(url, {"action": "monthly"})
    assert state(other, topics["newsletter"]) == ("active", "weekly", None)
    assert not ConsentEvent.objects.filter(subject=f"subscriber:{other.pk}").exists()


@pytest.mark.django_db
def test_after_rotation_old_links_get_the_friendly_page(client, subscriber, topics):
    from subscriptions.services import rotate_subscriber_key

    url = unsubscribe_url(subscriber, topics["newsletter"])
    rotate_subscriber_key(subscriber=subscriber)
    for response in [client.get(url), client.post(url, ONE_CLICK), client.post(url, {"action": "unsubscribe"})]:
        assert response.status_code == 404
        assert "This link doesn't work" in response.content.decode()
    assert state(subscriber, topics["newsletter"])[0] == "active"


TOKENISH = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:.=%~", min_size=1)


@pytest.mark.django_db
def test_bad_tokens_on_every_token_url_get_a_friendly_404_and_change_nothing(subscriber, topics):
    genuine = make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])
    client = Client(enforce_csrf_checks=True, raise_request_exception=True)
    names = ["subscriptions:unsubscribe", "subscriptions:preferences_token", "subscriptions:subscribe_confirm"]

    @settings(max_examples=examples(1_000), deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(
        st.one_of(TOKENISH, st.integers(0, len(genuine) - 2).map(lambda i: genuine[:i] + genuine[i + 1 :])),
        st.sampled_from(names),
        st.sampled_from(["get", "post-form", "post-one-click"]),
    )
    def check(token: str, name: str, how: str) -> None:
        if token in {".", ".."}:
            return  # path segments the URL resolver itself normalises
        url = reverse(name, args=["x"]).replace("/x/", f"/{quote(token, safe='')}/")
        if how == "get":
            response = client.get(url)
        elif how == "post-form":
            response = client.post(url, {"action": "unsubscribe"})
        else:
            response = client.post(url, ONE_CLICK)
        if MalformedUrlMiddleware.is_malformed(response.wsgi_request):
            # NUL bytes, bytes that are not UTF-8 and stray "%XX" are refused before any view (security item 11).
            assert response.status_code == 400, (url, response.status_code)
            return
        assert response.status_code == 404, (url, response.status_code)
        assert b"This link doesn't work" in response.content

    check()
    assert state(subscriber, topics["newsletter"]) == ("active", "twice_weekly", None)
    assert not ConsentEvent.objects.exists()


@pytest.mark.django_db
def test_an_already_unsubscribed_reader_sees_so_and_can_resubscribe(client, subscriber, topics, ledger):
    url = unsubscribe_url(subscriber, topics["newsletter"])
    client.post(url, ONE_CLICK)
    page = client.get(url).content.decode()
    assert "You don't receive “Newsletter and special offers”" in page
    assert 'value="resubscribe"' in page
    client.post(url, {"action": "resubscribe"})
    assert state(subscriber, topics["newsletter"])[0] == "active"
    assert [(e.action, e.method) for e in ledger.new()] == [("withdrawn", "one_click"), ("granted", "emailed_link")]
