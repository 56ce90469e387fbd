"""Subscribing and confirming: the subscribe form, the signup boxes, the double opt-in, the account's Subscriber."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..addresses import normalise_email
from ..app_settings import app_settings
from ..models import Subscriber, Subscription, Topic, new_secret_key
from ..selectors import subscriber_of
from .consent import Action, Method, lock_subscriber, record_subscriber_event, topic_purpose
from .suppression import apply_suppression_list

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest


def _request_topics(
    subscriber: Subscriber,
    subscriptions: dict[int, Subscription],
    topics: Iterable[Topic],
    *,
    method: str,
    request: HttpRequest | None,
) -> list[Subscription]:
    """Mark topics as waiting for confirmation (one REQUESTED event each); active and pending ones are left alone."""
    requested = []
    for topic in topics:
        subscription = subscriptions.get(topic.pk)
        if subscription is not None and subscription.state != Subscription.State.UNSUBSCRIBED:
            continue
        if subscription is None:
            subscription = Subscription(subscriber=subscriber, topic=topic, frequency=topic.default_frequency)
        subscription.state = Subscription.State.PENDING
        subscription.unsubscribed_at = None
        subscription.save()
        record_subscriber_event(
            subscriber,
            purpose=topic_purpose(topic),
            action=Action.REQUESTED,
            method=method,
            value=subscription.frequency,
            request=request,
        )
        requested.append(subscription)
    return requested


@transaction.atomic
def subscribe_guest(
    *, email: str, topics: Iterable[Topic], request: HttpRequest | None = None, language: str = ""
) -> Subscriber:
    """The subscribe form: whoever types an address only *asks*; nothing is sent until the address confirms.

    Known and unknown addresses go through the same steps, so the answer reveals nothing. `language`: the page's
    language; it becomes the address's language only for a new address (whoever types an address proves nothing,
    so they can't change the language of someone else's emails).
    """
    subscriber, created = Subscriber.objects.get_or_create(email=normalise_email(email))
    subscriber, subscriptions = lock_subscriber(subscriber)
    if created and language in dict(settings.LANGUAGES) and not subscriber.language:
        subscriber.language = language
        subscriber.save(update_fields=["language"])
    _request_topics(subscriber, subscriptions, topics, method=Method.SUBSCRIBE_FORM, request=request)
    apply_suppression_list(subscriber)
    return subscriber


@transaction.atomic
def subscribe_from_signup(
    *, user: AbstractBaseUser, email: str, topics: Iterable[Topic], request: HttpRequest | None = None
) -> Subscriber | None:
    """The signup form's boxes. A guest Subscriber with the same address is taken over (history kept).

    The topics wait for the account's email confirmation (allauth's link), which calls confirm_account_subscriber.
    """
    email = normalise_email(email)
    topics = list(topics)
    subscriber = Subscriber.objects.filter(user=user).first() or Subscriber.objects.filter(email=email).first()
    if subscriber is None:
        if not topics:
            return None  # no box ticked and no guest history: nothing to store
        subscriber = Subscriber.objects.create(email=email, user=user)
    subscriber, subscriptions = lock_subscriber(subscriber)
    if subscriber.user_id is None:
        subscriber.user = user
        subscriber.save(update_fields=["user"])
    _request_topics(subscriber, subscriptions, topics, method=Method.SIGNUP_FORM, request=request)
    apply_suppression_list(subscriber)
    return subscriber


@transaction.atomic
def confirm_subscriber(*, subscriber: Subscriber, method: str, request: HttpRequest | None = None) -> int:
    """The address is proven: activate every pending topic (one GRANTED double opt-in event each).

    Returns how many topics were activated. A new opt-in ends an earlier "unsubscribe from all".
    """
    subscriber, subscriptions = lock_subscriber(subscriber)
    now = timezone.now()
    fields = []
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = now
        fields.append("confirmed_at")
    activated = 0
    for subscription in subscriptions.values():
        if subscription.state != Subscription.State.PENDING:
            continue
        subscription.state = Subscription.State.ACTIVE
        subscription.save(update_fields=["state", "updated_at"])
        record_subscriber_event(
            subscriber,
            purpose=topic_purpose(subscription.topic),
            action=Action.GRANTED,
            method=method,
            value=subscription.frequency,
            double_opt_in=True,
            request=request,
        )
        activated += 1
    if activated and subscriber.unsubscribed_all_at is not None:
        subscriber.unsubscribed_all_at = None
        fields.append("unsubscribed_all_at")
    if fields:
        subscriber.save(update_fields=fields)
    return activated


def confirm_account_subscriber(*, user: AbstractBaseUser) -> None:
    """allauth confirmed the account's address: the signup boxes' topics become active."""
    subscriber = Subscriber.objects.filter(user=user).first()
    if subscriber is not None and normalise_email(subscriber.email) == normalise_email(user.email):
        confirm_subscriber(subscriber=subscriber, method=Method.SIGNUP_FORM)


@transaction.atomic
def subscriber_for_user(*, user: AbstractBaseUser) -> Subscriber:
    """The logged-in shopper's Subscriber, linking or creating it. Logging in proves the address
    (ACCOUNT_EMAIL_VERIFICATION is mandatory), so a new or linked Subscriber counts as confirmed."""
    subscriber = subscriber_of(user)
    if subscriber is None:
        return Subscriber.objects.create(email=normalise_email(user.email), user=user, confirmed_at=timezone.now())
    fields = []
    if subscriber.user_id is None:
        subscriber.user = user
        fields.append("user")
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        fields.append("confirmed_at")
    if fields:
        subscriber.save(update_fields=fields)
    return subscriber


def set_subscriber_language(*, subscriber: Subscriber, language: str) -> Subscriber:
    """Write this address's emails in `language` from now on (one of settings.LANGUAGES; anything else is refused)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}: it must be one of settings.LANGUAGES.")
    if subscriber.language != language:
        subscriber.language = language
        subscriber.save(update_fields=["language"])
    return subscriber


@transaction.atomic
def rotate_subscriber_key(*, subscriber: Subscriber) -> Subscriber:
    """Void every link ever emailed to this subscriber (after erasure, or when staff suspect a leaked link)."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    subscriber.secret_key = new_secret_key()
    subscriber.key_rotated_at = timezone.now()
    subscriber.save(update_fields=["secret_key", "key_rotated_at"])
    return subscriber


EMAIL_PURPOSE = "email"


@transaction.atomic
def change_subscriber_email(*, user: AbstractBaseUser, request: HttpRequest | None = None) -> Subscriber | None:
    """The account's verified address changed (allauth): its Subscriber follows, with one ConsentEvent (purpose
    "email", action changed; the ledger never holds the address). The new address is proven, so the subscriber
    stays confirmed; if it is on the suppression list the subscriber is suppressed at once.

    A guest Subscriber that already held the new address cannot keep it (one Subscriber per address): its topics
    are withdrawn (ledgered, value "merged into the account") and its row keeps a placeholder; the account's own
    choices apply to the address from now on. Returns the account's Subscriber, or None if it has none."""
    from privacy.data_rights import erased_email

    from .preferences import unsubscribe_all

    email = normalise_email(user.email)
    subscriber = Subscriber.objects.select_for_update().filter(user=user).first()
    if subscriber is None or subscriber.email == email:
        return subscriber
    other = Subscriber.objects.select_for_update().filter(email=email).exclude(pk=subscriber.pk).first()
    if other is not None:
        if other.user_id is not None:
            return subscriber  # another account's stale row: staff must look at it; never merge two accounts
        unsubscribe_all(subscriber=other, method=Method.SYSTEM, request=request)
        Subscriber.objects.filter(pk=other.pk).update(email=erased_email(other.pk, "merged"))
        record_subscriber_event(
            other, purpose=EMAIL_PURPOSE, action=Action.CHANGED, method=Method.SYSTEM, value="merged into the account"
        )
    subscriber.email = email
    fields = ["email"]
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        fields.append("confirmed_at")
    subscriber.save(update_fields=fields)
    record_subscriber_event(
        subscriber,
        purpose=EMAIL_PURPOSE,
        action=Action.CHANGED,
        method=Method.ACCOUNT_SETTINGS,
        value="verified address changed",
        request=request,
    )
    apply_suppression_list(subscriber)
    return subscriber


def purge_unconfirmed_subscribers() -> int:
    """Delete guest Subscribers (no account) whose subscription was never confirmed within
    SUBSCRIPTIONS_UNCONFIRMED_DAYS, with their pending topics. The ledger's REQUESTED events stay (they name the
    subscriber by id only); an account's Subscriber waits for the account's own confirmation. Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(days=app_settings.UNCONFIRMED_DAYS)
    stale = Subscriber.objects.filter(user__isnull=True, confirmed_at__isnull=True, created_at__lt=cutoff)
    ids = list(stale.values_list("pk", flat=True)[:10000])
    Subscriber.objects.filter(pk__in=ids).delete()
    return len(ids)
