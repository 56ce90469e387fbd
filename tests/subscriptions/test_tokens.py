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


def django_made(subscriber, purpose: Purpose, topic_id, ids=None) -> str:
    """The way tokens were made before the mailing engine's fast path: signing.dumps and salted_hmac, as is."""
    from django.utils.crypto import salted_hmac

    bound = ".".join(str(i) for i in ids) if ids else topic_id
    binding = salted_hmac(SALT, f"{subscriber.pk}:{bound}:{purpose}", secret=subscriber.secret_key, algorithm="sha256")
    payload = [subscriber.pk, topic_id, str(purpose), binding.hexdigest()[:32]]
    return signing.dumps(payload + ([ids] if ids else []), salt=SALT)


@pytest.mark.django_db
def test_tokens_are_byte_for_byte_what_signing_dumps_made(subscriber, topics):
    """Links already emailed keep working, and new links work wherever the old code reads them: the fast path writes
    exactly signing.dumps's token (same SECRET_KEY, salt, binding, timestamp)."""
    from subscriptions.tokens import make_email_token

    newsletter, other = topics["newsletter"], next(t for slug, t in topics.items() if slug != "newsletter")
    for moment in (time.time(), time.time() - 365 * DAY, 1_700_000_000.0):
        with mock.patch("django.core.signing.time.time", return_value=moment):
            pairs = [
                (
                    make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=newsletter),
                    Purpose.UNSUBSCRIBE,
                    django_made(subscriber, Purpose.UNSUBSCRIBE, newsletter.pk),
                ),
                (
                    make_token(subscriber, purpose=Purpose.PREFERENCES),
                    Purpose.PREFERENCES,
                    django_made(subscriber, Purpose.PREFERENCES, 0),
                ),
                (
                    make_token(subscriber, purpose=Purpose.CONFIRM),
                    Purpose.CONFIRM,
                    django_made(subscriber, Purpose.CONFIRM, 0),
                ),
                (
                    make_email_token(subscriber, topics=[other, newsletter]),
                    Purpose.UNSUBSCRIBE_EMAIL,
                    django_made(subscriber, Purpose.UNSUBSCRIBE_EMAIL, 0, sorted([other.pk, newsletter.pk])),
                ),
            ]
            for new, _, old in pairs:
                assert new == old
                assert signing.loads(new, salt=SALT) == signing.loads(old, salt=SALT)  # the old reader
        for new, purpose, old in pairs:
            if moment > time.time() - DAY:  # (a confirmation link expires after days)
                assert read_token(old, purpose=purpose).subscriber == subscriber  # the reader, old tokens
                assert read_token(new, purpose=purpose).subscriber == subscriber


@pytest.mark.django_db
def test_two_subscribers_tokens_in_turn_each_bind_their_own_key(subscriber, topics):
    """The derived key of the last subscriber is kept: alternating subscribers must never reuse another's."""
    other = SubscriberFactory()
    for _ in range(3):
        for who in (subscriber, other):
            token = make_token(who, purpose=Purpose.PREFERENCES)
            assert token == django_made(who, Purpose.PREFERENCES, 0)
            assert read_token(token, purpose=Purpose.PREFERENCES).subscriber == who
