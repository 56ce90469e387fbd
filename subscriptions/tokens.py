"""Signed tokens for emailed links: unsubscribe, preferences and double opt-in confirmation.

A token is `django.core.signing.dumps([subscriber id, topic id, purpose, binding])` with a salt, so it is
timestamped and signed with SECRET_KEY. The binding is an HMAC over the same fields keyed by the subscriber's own
`secret_key`: rotating that key (after erasure, or by staff) voids every token issued before. No email address is
carried, and a token for one subscriber or topic can't be edited into one for another without breaking the signature.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import TextChoices
from django.utils.crypto import constant_time_compare, salted_hmac

from .app_settings import app_settings
from .models import Subscriber, Subscription, Topic

SALT = "subscriptions.tokens"
MAX_LENGTH = 400


class Purpose(TextChoices):
    UNSUBSCRIBE = "u", "Unsubscribe"
    PREFERENCES = "p", "Preferences"
    CONFIRM = "c", "Confirm subscription"
    UNSUBSCRIBE_EMAIL = "m", "Unsubscribe from every topic of one combined email"


class InvalidToken(Exception):
    """Malformed, tampered, expired, foreign or revoked: the caller shows a friendly page and changes nothing."""


@dataclass(frozen=True)
class TokenData:
    subscriber: Subscriber
    topic: Topic | None
    purpose: Purpose
    topics: tuple[Topic, ...] = ()  # UNSUBSCRIBE_EMAIL: the topics whose sections were in the email


def _binding(subscriber_id: int, topic_id: int | str, purpose: str, key: str) -> str:
    return salted_hmac(SALT, f"{subscriber_id}:{topic_id}:{purpose}", secret=key, algorithm="sha256").hexdigest()[:32]


def make_email_token(subscriber: Subscriber, *, topics: list[Topic]) -> str:
    """The one-click unsubscribe of a combined email (several topics due in one slot, one email): it unsubscribes
    from every topic that had a section in it, and nothing else. The topic ids are signed and bound like a topic's."""
    ids = sorted({topic.pk for topic in topics})
    if not ids:
        raise ValueError("A combined email names at least one topic.")
    joined = ".".join(str(i) for i in ids)
    purpose = Purpose.UNSUBSCRIBE_EMAIL
    payload = [subscriber.pk, 0, str(purpose), _binding(subscriber.pk, joined, purpose, subscriber.secret_key), ids]
    return _signer(settings.SECRET_KEY).sign_object(payload)


def make_token(subscriber: Subscriber, *, purpose: Purpose, topic: Topic | None = None) -> str:
    if purpose == Purpose.UNSUBSCRIBE and topic is None:
        raise ValueError("An unsubscribe token names the topic its email was for.")
    topic_id = topic.pk if topic is not None else 0
    payload = [subscriber.pk, topic_id, str(purpose), _binding(subscriber.pk, topic_id, purpose, subscriber.secret_key)]
    return _signer(settings.SECRET_KEY).sign_object(payload)


@functools.lru_cache(maxsize=2)
def _signer(secret_key: str) -> signing.TimestampSigner:
    """What signing.dumps builds on every call, built once: the mailing engine makes two tokens per message."""
    return signing.TimestampSigner(key=secret_key, salt=SALT)


def max_age(purpose: Purpose) -> datetime.timedelta:
    days = app_settings.CONFIRM_MAX_AGE_DAYS if purpose == Purpose.CONFIRM else app_settings.TOKEN_MAX_AGE_DAYS
    return datetime.timedelta(days=days)


def read_token(token: object, *, purpose: Purpose) -> TokenData:
    """Return what a token names, or raise InvalidToken. Never raises anything else, whatever the input."""
    if not isinstance(token, str) or not token or len(token) > MAX_LENGTH or not token.isascii():
        raise InvalidToken
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age(purpose))
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as error:
        raise InvalidToken from error
    if purpose == Purpose.UNSUBSCRIBE_EMAIL:
        return _read_email_token(payload)
    if not (
        isinstance(payload, list)
        and len(payload) == 4
        and all(type(item) is int for item in payload[:2])
        and all(isinstance(item, str) for item in payload[2:])
    ):
        raise InvalidToken
    subscriber_id, topic_id, token_purpose, binding = payload
    if token_purpose != purpose or not (0 < subscriber_id < 2**63) or not (0 <= topic_id < 2**63):
        raise InvalidToken
    if purpose == Purpose.UNSUBSCRIBE and not topic_id:
        raise InvalidToken
    subscriber, topic = _subscriber_and_topic(subscriber_id, topic_id)
    if subscriber is None or not constant_time_compare(
        binding, _binding(subscriber_id, topic_id, token_purpose, subscriber.secret_key)
    ):
        raise InvalidToken
    if topic_id and topic is None:
        raise InvalidToken
    return TokenData(subscriber=subscriber, topic=topic, purpose=Purpose(token_purpose))


def _subscriber_and_topic(subscriber_id: int, topic_id: int) -> tuple[Subscriber | None, Topic | None]:
    """The token's subscriber and topic. A topic link's subscriber nearly always has a row for that topic (the email
    went to it): then one query through it, not two, and without the account (the one-click POST's hot path needs
    only its id; a page that shows it loads it then)."""
    if topic_id:
        # A slice, not .first(): (subscriber, topic) is unique, so no ORDER BY to build and send.
        rows = Subscription.objects.select_related("subscriber", "topic").filter(
            subscriber_id=subscriber_id, topic_id=topic_id
        )[:1]
        for row in rows:
            return row.subscriber, row.topic
    subscriber = next(iter(Subscriber.objects.select_related("user").filter(pk=subscriber_id)[:1]), None)
    topic = next(iter(Topic.objects.filter(pk=topic_id)[:1]), None) if topic_id and subscriber is not None else None
    return subscriber, topic


MAX_TOPICS = 50


def _read_email_token(payload: object) -> TokenData:
    if not (
        isinstance(payload, list)
        and len(payload) == 5
        and type(payload[0]) is int
        and payload[1] == 0
        and payload[2] == Purpose.UNSUBSCRIBE_EMAIL
        and isinstance(payload[3], str)
        and isinstance(payload[4], list)
        and 0 < len(payload[4]) <= MAX_TOPICS
        and all(type(item) is int and 0 < item < 2**63 for item in payload[4])
        and 0 < payload[0] < 2**63
    ):
        raise InvalidToken
    subscriber_id, _, token_purpose, binding, ids = payload
    subscriber = Subscriber.objects.select_related("user").filter(pk=subscriber_id).first()
    joined = ".".join(str(i) for i in ids)
    if subscriber is None or not constant_time_compare(
        binding, _binding(subscriber_id, joined, token_purpose, subscriber.secret_key)
    ):
        raise InvalidToken
    topics = tuple(Topic.objects.filter(pk__in=ids).order_by("position", "id"))
    if len(topics) != len(set(ids)):
        raise InvalidToken
    return TokenData(subscriber=subscriber, topic=None, purpose=Purpose.UNSUBSCRIBE_EMAIL, topics=topics)
