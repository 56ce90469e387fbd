import time
from unittest import mock

import pytest
from django.core import signing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subscriptions.services import rotate_subscriber_key
from subscriptions.tokens import SALT, InvalidToken, Purpose, make_token, read_token
from tests.factories import SubscriberFactory
from tests.fuzz import examples

DAY = 86400


def made_days_ago(days: int, **kwargs) -> str:
    with mock.patch("django.core.signing.time.time", return_value=time.time() - days * DAY):
        return make_token(**kwargs)


@pytest.mark.django_db
def test_a_token_names_its_subscriber_topic_and_purpose_without_the_email(subscriber, topics):
    token = make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])
    data = read_token(token, purpose=Purpose.UNSUBSCRIBE)
    assert (data.subscriber, data.topic) == (subscriber, topics["newsletter"])
    assert "reader" not in token
    assert "reader" not in signing.b64_decode(token.split(":")[0].encode()).decode(errors="replace")


@pytest.mark.django_db
def test_a_token_for_one_purpose_does_not_open_another(subscriber, topics):
    token = make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])
    with pytest.raises(InvalidToken):
        read_token(token, purpose=Purpose.PREFERENCES)
    with pytest.raises(InvalidToken):
        read_token(token, purpose=Purpose.CONFIRM)


@pytest.mark.django_db
def test_links_work_for_more_than_a_year_and_expire_after_the_setting(subscriber, topics, settings):
    year_old = made_days_ago(365, subscriber=subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])
    assert read_token(year_old, purpose=Purpose.UNSUBSCRIBE).subscriber == subscriber
    too_old = made_days_ago(401, subscriber=subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])
    with pytest.raises(InvalidToken):
        read_token(too_old, purpose=Purpose.UNSUBSCRIBE)
    settings.SUBSCRIPTIONS_TOKEN_MAX_AGE_DAYS = 500
    assert read_token(too_old, purpose=Purpose.UNSUBSCRIBE).subscriber == subscriber


@pytest.mark.django_db
def test_confirmation_links_expire_sooner(subscriber):
    old = made_days_ago(15, subscriber=subscriber, purpose=Purpose.CONFIRM)
    with pytest.raises(InvalidToken):
        read_token(old, purpose=Purpose.CONFIRM)


@pytest.mark.django_db
def test_rotating_the_key_voids_every_old_token(subscriber, topics):
    old = [
        make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"]),
        make_token(subscriber, purpose=Purpose.PREFERENCES),
    ]
    rotate_subscriber_key(subscriber=subscriber)
    for token, purpose in zip(old, [Purpose.UNSUBSCRIBE, Purpose.PREFERENCES], strict=True):
        with pytest.raises(InvalidToken):
            read_token(token, purpose=purpose)
    subscriber.refresh_from_db()
    assert read_token(make_token(subscriber, purpose=Purpose.PREFERENCES), purpose=Purpose.PREFERENCES)


@pytest.mark.django_db
def test_a_correctly_signed_payload_for_someone_else_is_refused(subscriber):
    """Even with SECRET_KEY leaked, the per-subscriber key binds the token to one subscriber."""
    other = SubscriberFactory()
    genuine = signing.loads(make_token(subscriber, purpose=Purpose.PREFERENCES), salt=SALT)
    forged = signing.dumps([other.pk, *genuine[1:]], salt=SALT)
    with pytest.raises(InvalidToken):
        read_token(forged, purpose=Purpose.PREFERENCES)
    for payload in [{"s": 1}, [other.pk], [other.pk, 0, "p", 5], [True, 0, "p", "x"], "x", None, [-1, 0, "p", "x"]]:
        with pytest.raises(InvalidToken):
            read_token(signing.dumps(payload, salt=SALT), purpose=Purpose.PREFERENCES)


def mutations(token: str):
    """Truncations, single-character edits, insertions and swaps of a genuine token."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:=.%"
    index = st.integers(min_value=0, max_value=len(token) - 1)
    char = st.sampled_from(alphabet)
    return st.one_of(
        index.map(lambda i: token[:i]),
        st.tuples(index, char).map(lambda t: token[: t[0]] + t[1] + token[t[0] + 1 :]),
        st.tuples(index, char).map(lambda t: token[: t[0]] + t[1] + token[t[0] :]),
        st.tuples(index, index).map(lambda t: token[: min(t)] + token[max(t) :]),
    )


@pytest.mark.django_db
def test_generated_tokens_never_crash_and_never_open_anything(subscriber, topics):
    genuine = make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])
    other = SubscriberFactory()
    other_token = make_token(other, purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])

    @settings(max_examples=examples(2_000), deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(
        st.one_of(
            st.text(max_size=120),
            st.text(alphabet="ABCDEFabcdef0123456789-_:", max_size=200),
            mutations(genuine),
            mutations(other_token),
            st.tuples(mutations(genuine), mutations(other_token)).map(lambda t: t[0][:40] + t[1][40:]),
        )
    )
    def check(token: str) -> None:
        try:
            data = read_token(token, purpose=Purpose.UNSUBSCRIBE)
        except InvalidToken:
            return
        # Only the genuine tokens themselves (e.g. a "mutation" that put back the same character) open anything.
        assert token in {genuine, other_token}
        assert data.subscriber == (subscriber if token == genuine else other)

    check()
