"""Signed tokens for emailed links: unsubscribe, preferences and double opt-in confirmation.

A token is `django.core.signing.dumps([subscriber id, topic id, purpose, binding])` with a salt, so it is
timestamped and signed with SECRET_KEY. The binding is an HMAC over the same fields keyed by the subscriber's own
`secret_key`: rotating that key (after erasure, or by staff) voids every token issued before. No email address is
carried, and a token for one subscriber or topic can't be edited into one for another without breaking the signature.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import TextChoices
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes

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
    """HMAC-SHA256 over the fields keyed by the subscriber's own secret_key (Django's salted_hmac, SALT as its key
    salt): rotating that key voids the subscriber's tokens."""
    mac = _binding_hmac(key).copy()
    mac.update(f"{subscriber_id}:{topic_id}:{purpose}".encode())
    return mac.hexdigest()[:32]


_last_binding: tuple[str | None, hmac.HMAC | None] = (None, None)  # swapped whole: safe from several threads


def _binding_hmac(secret: str | None) -> hmac.HMAC:
    """salted_hmac(SALT, …, secret=secret, algorithm="sha256") before its message: keyed with sha256(SALT + secret).
    Only copied, never updated. The last subscriber's is kept: a recipient's links are made one after the other
    (OpenSSL 3 makes keying an HMAC cost several times what hashing a token does)."""
    global _last_binding
    if secret is None:  # (salted_hmac's default)
        secret = settings.SECRET_KEY
    last_secret, last = _last_binding
    if last is not None and last_secret == secret:
        return last
    derived = hashlib.sha256(force_bytes(SALT) + force_bytes(secret)).digest()
    mac = hmac.new(derived, digestmod=hashlib.sha256)
    _last_binding = (secret, mac)
    return mac


def make_email_token(subscriber: Subscriber, *, topics: list[Topic]) -> str:
    """The one-click unsubscribe of a combined email (several topics due in one slot, one email): it unsubscribes
    from every topic that had a section in it, and nothing else. The topic ids are signed and bound like a topic's."""
    ids = sorted({topic.pk for topic in topics})
    if not ids:
        raise ValueError("A combined email names at least one topic.")
    joined = ".".join(str(i) for i in ids)
    purpose = Purpose.UNSUBSCRIBE_EMAIL
    payload = [subscriber.pk, 0, str(purpose), _binding(subscriber.pk, joined, purpose, subscriber.secret_key), ids]
    return _sign(payload)


def make_token(subscriber: Subscriber, *, purpose: Purpose, topic: Topic | None = None) -> str:
    if purpose == Purpose.UNSUBSCRIBE and topic is None:
        raise ValueError("An unsubscribe token names the topic its email was for.")
    subscriber_id, topic_id, letter = subscriber.pk, (topic.pk if topic is not None else 0), str(purpose)
    binding = _binding(subscriber_id, topic_id, letter, subscriber.secret_key)
    if type(subscriber_id) is int and type(topic_id) is int and letter.isascii() and letter.isalpha():
        return _sign(None, f'[{subscriber_id},{topic_id},"{letter}","{binding}"]'.encode())  # JSONSerializer's bytes
    return _sign([subscriber_id, topic_id, letter, binding])


def _sign(payload: list | None, data: bytes | None = None) -> str:
    """Exactly `signing.dumps(payload, salt=SALT)` (TimestampSigner.sign_object with SECRET_KEY, sha256, no
    compression), byte for byte, so signing.loads reads it: the mailing engine makes two tokens per message, and
    Django derives the signing key, builds a JSON encoder and a signer on every call. Here the key is derived once
    per SECRET_KEY and the JSON of the token's plain shape (ints and ASCII strings) is written directly (`data`,
    when the caller wrote it)."""
    value = f"{_b64(data or _json(payload))}:{_timestamp()}"
    mac = _signature_hmac(settings.SECRET_KEY).copy()
    mac.update(value.encode())
    return f"{value}:{_b64(mac.digest())}"


def _json(payload: list) -> bytes:
    """JSONSerializer's bytes (compact separators) for a list of ints, ASCII-safe strings and lists of ints."""
    parts = []
    for item in payload:
        if type(item) is int:
            parts.append(str(item))
        elif type(item) is str and item.isalnum() and item.isascii():  # purpose letters, hex bindings
            parts.append(f'"{item}"')
        elif type(item) is list and all(type(i) is int for i in item):
            parts.append(f"[{','.join(map(str, item))}]")
        else:  # any other shape: the serializer itself
            return signing.JSONSerializer().dumps(payload)
    return f"[{','.join(parts)}]".encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@functools.lru_cache(maxsize=2)
def _signature_hmac(secret_key: str) -> hmac.HMAC:
    """Signer.signature's HMAC before its message: salted_hmac(SALT + "signer", …, SECRET_KEY, algorithm="sha256").
    Only copied, never updated."""
    derived = hashlib.sha256(force_bytes(SALT + "signer") + force_bytes(secret_key)).digest()
    return hmac.new(derived, digestmod=hashlib.sha256)


_last_timestamp: tuple[int, str] = (0, "0")


def _timestamp() -> str:
    """TimestampSigner.timestamp(): base62 of the whole seconds (worked out once a second)."""
    global _last_timestamp
    now = int(time.time())
    last = _last_timestamp
    if last[0] != now:
        last = _last_timestamp = (now, signing.b62_encode(now))
    return last[1]


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
