"""Sending and subscription writes. Transactional mail has exactly one way out: send_transactional."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from anymail.message import AnymailMessage
from django.conf import settings
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac

from privacy.models import ConsentEvent
from privacy.services import record_consent

from .app_settings import app_settings
from .models import AlertItem, Frequency, MessageKind, SentEmail, Subscriber, Subscription, Topic, new_secret_key

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str | None]:
    """Render `<template>_subject.txt`, `_message.txt` and (when present) `_message.html`."""
    context = {
        "SHOP_NAME": settings.SHOP_NAME,
        "SITE_URL": settings.SITE_URL,
        "SHOP_POSTAL_ADDRESS": settings.SHOP_POSTAL_ADDRESS,
        **context,
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}_message.txt", context).strip() + "\n"
    try:
        html = render_to_string(f"{template}_message.html", context)
    except TemplateDoesNotExist:
        html = None
    return subject, text, html


def send_transactional(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    kind: MessageKind | str,
    object_id: str | int | None = None,
    reply_to: list[str] | None = None,
) -> AnymailMessage:
    """Send an order, account, customer-service or service email.

    Transactional mail always goes: this never consults marketing consent or suppression, and it
    never carries List-Unsubscribe headers (those would invite people to "unsubscribe" from their receipts).
    The kind and object id travel as anymail tags and metadata so a tracking webhook can trace the message.
    """
    from .mailing.esp import tracking_options  # (the mailing package imports this module)

    kind = MessageKind(kind)
    if kind == MessageKind.COMMERCIAL:
        raise ValueError("Commercial email is sent by the mailing engine, never as transactional mail.")
    subject, text, html = render_email(template, context)
    message = AnymailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=reply_to,
        tags=[kind.value],
        metadata={"kind": kind.value, "object_id": "" if object_id is None else str(object_id)},
        **tracking_options(track_opens=False),  # no web beacons in transactional mail
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    message.send()
    SentEmail.objects.create(
        recipient_hash=email_hash(to), kind=kind, subject=subject[:200], object_id=message.metadata["object_id"]
    )
    return message


def email_hash(email: str) -> str:
    """A keyed hash of the normalised address, for the suppression list and the sent-email log: they find a
    person's rows without ever holding the address in clear."""
    return salted_hmac(
        "subscriptions.email_hash", normalise_email(email), secret=app_settings.SUPPRESSION_KEY, algorithm="sha256"
    ).hexdigest()


def queue_alert(
    *, title: str, link: str, source: str, image_url: str = "", topic_slug: str = "new-brands-and-styles"
) -> AlertItem:
    """Queue an item for the alerts topic's next slot edition (never an immediate send). Queuing twice is harmless."""
    item, _ = AlertItem.objects.get_or_create(
        topic_slug=topic_slug, source=source, defaults={"title": title, "link": link, "image_url": image_url}
    )
    return item


# Preference writes. Each one changes state and appends exactly one ConsentEvent per change, in one transaction.

ALL_MARKETING = "marketing:all"
OFF = "off"
Method = ConsentEvent.Method
Action = ConsentEvent.Action


def normalise_email(email: str) -> str:
    """The one spelling of an address we store: stripped and lower-cased (Subscriber.email has a constraint on it)."""
    return email.strip().lower()


def topic_purpose(topic: Topic) -> str:
    return f"topic:{topic.slug}"


def _record(
    subscriber: Subscriber,
    *,
    purpose: str,
    action: str,
    method: str,
    value: str = "",
    double_opt_in: bool = False,
    request: HttpRequest | None = None,
) -> None:
    record_consent(
        subject=subscriber.ledger_subject,
        purpose=purpose,
        action=action,
        method=method,
        value=value,
        user=subscriber.user,
        double_opt_in=double_opt_in,
        request=request,
    )


def _locked(subscriber: Subscriber) -> tuple[Subscriber, dict[int, Subscription]]:
    locked = Subscriber.objects.select_for_update(of=("self",)).select_related("user").get(pk=subscriber.pk)
    rows = Subscription.objects.select_for_update(of=("self",)).select_related("topic").filter(subscriber=locked)
    return locked, {s.topic_id: s for s in rows}


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
        _record(
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
def subscribe_guest(*, email: str, topics: Iterable[Topic], request: HttpRequest | None = None) -> Subscriber:
    """The subscribe form: whoever types an address only *asks*; nothing is sent until the address confirms.

    Known and unknown addresses go through the same steps, so the answer reveals nothing.
    """
    subscriber, _ = Subscriber.objects.get_or_create(email=normalise_email(email))
    subscriber, subscriptions = _locked(subscriber)
    _request_topics(subscriber, subscriptions, topics, method=Method.SUBSCRIBE_FORM, request=request)
    _apply_suppression_list(subscriber)
    return subscriber


def _apply_suppression_list(subscriber: Subscriber) -> None:
    """An address on the suppression list (a bounce, a complaint, an erased account) typed in again is
    suppressed at once: the next mailing skips it, whatever is confirmed later."""
    from .tracking import suppression_reason

    if subscriber.suppressed_at is not None:
        return
    reason = suppression_reason(subscriber.email)
    if reason is not None:
        suppress_subscriber(subscriber=subscriber, reason=reason, method=Method.SYSTEM)


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
    subscriber, subscriptions = _locked(subscriber)
    if subscriber.user_id is None:
        subscriber.user = user
        subscriber.save(update_fields=["user"])
    _request_topics(subscriber, subscriptions, topics, method=Method.SIGNUP_FORM, request=request)
    _apply_suppression_list(subscriber)
    return subscriber


@transaction.atomic
def confirm_subscriber(*, subscriber: Subscriber, method: str, request: HttpRequest | None = None) -> int:
    """The address is proven: activate every pending topic (one GRANTED double opt-in event each).

    Returns how many topics were activated. A new opt-in ends an earlier "unsubscribe from all".
    """
    subscriber, subscriptions = _locked(subscriber)
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
        _record(
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
    email = normalise_email(user.email)
    subscriber = Subscriber.objects.filter(user=user).first() or Subscriber.objects.filter(email=email).first()
    if subscriber is None:
        return Subscriber.objects.create(email=email, user=user, confirmed_at=timezone.now())
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


@transaction.atomic
def update_topics(
    *, subscriber: Subscriber, choices: dict[Topic, str], method: str, request: HttpRequest | None = None
) -> int:
    """Save the preference center's topic choices: a frequency, "paused" or OFF per topic.

    Whoever reaches the preference center has proven the address (logged in, or holds an emailed link), so choices
    apply at once. Returns how many topics changed; each change writes one event.
    """
    subscriber, subscriptions = _locked(subscriber)
    changed = 0
    granted = False
    for topic, value in choices.items():
        subscription = subscriptions.get(topic.pk)
        if value == OFF:
            if subscription is not None and subscription.state != Subscription.State.UNSUBSCRIBED:
                _set_unsubscribed(subscription)
                _record(
                    subscriber, purpose=topic_purpose(topic), action=Action.WITHDRAWN, method=method, request=request
                )
                changed += 1
            continue
        if value not in (*topic.allowed_frequencies, Frequency.PAUSED):
            raise ValueError(f"{value!r} is not offered for {topic.slug}")
        if subscription is None:
            subscription = Subscription(subscriber=subscriber, topic=topic, frequency=value)
            action = Action.GRANTED
        elif subscription.state != Subscription.State.ACTIVE:
            action = Action.GRANTED
        elif subscription.frequency != value:
            action = Action.CHANGED
        else:
            continue
        subscription.frequency = value
        subscription.state = Subscription.State.ACTIVE
        subscription.unsubscribed_at = None
        subscription.save()
        _record(subscriber, purpose=topic_purpose(topic), action=action, method=method, value=value, request=request)
        granted = granted or action == Action.GRANTED
        changed += 1
    fields = []
    if granted and subscriber.unsubscribed_all_at is not None:
        subscriber.unsubscribed_all_at = None
        fields.append("unsubscribed_all_at")
    if changed and subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        fields.append("confirmed_at")
    if fields:
        subscriber.save(update_fields=fields)
    return changed


def _set_unsubscribed(subscription: Subscription, when: datetime.datetime | None = None) -> None:
    subscription.state = Subscription.State.UNSUBSCRIBED
    subscription.unsubscribed_at = when or timezone.now()
    subscription.save(update_fields=["state", "unsubscribed_at", "updated_at"])


@transaction.atomic
def unsubscribe_topic(*, subscriber: Subscriber, topic: Topic, method: str, request: HttpRequest | None = None) -> bool:
    """Stop one topic. Idempotent: repeating it (one-click retries) changes nothing and writes nothing."""
    subscriber, subscriptions = _locked(subscriber)
    subscription = subscriptions.get(topic.pk)
    if subscription is None or subscription.state == Subscription.State.UNSUBSCRIBED:
        return False
    _set_unsubscribed(subscription)
    _record(subscriber, purpose=topic_purpose(topic), action=Action.WITHDRAWN, method=method, request=request)
    return True


@transaction.atomic
def resubscribe_topic(*, subscriber: Subscriber, topic: Topic, method: str, request: HttpRequest | None = None) -> bool:
    """Undo an unsubscribe from an emailed link: the topic comes back at its previous frequency."""
    subscriber, subscriptions = _locked(subscriber)
    subscription = subscriptions.get(topic.pk)
    if subscription is not None and subscription.state == Subscription.State.ACTIVE:
        return False
    if subscription is None:
        subscription = Subscription(subscriber=subscriber, topic=topic, frequency=topic.default_frequency)
    subscription.state = Subscription.State.ACTIVE
    subscription.unsubscribed_at = None
    subscription.save()
    fields = ["unsubscribed_all_at"]
    subscriber.unsubscribed_all_at = None
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        fields.append("confirmed_at")
    subscriber.save(update_fields=fields)
    _record(
        subscriber,
        purpose=topic_purpose(topic),
        action=Action.GRANTED,
        method=method,
        value=subscription.frequency,
        request=request,
    )
    return True


@transaction.atomic
def change_frequency(
    *,
    subscriber: Subscriber,
    topic: Topic,
    frequency: str,
    method: str,
    paused_until: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """ "Fewer emails instead": a lower frequency, or a pause until a date, for one active topic."""
    subscriber, subscriptions = _locked(subscriber)
    subscription = subscriptions.get(topic.pk)
    if subscription is None or subscription.state != Subscription.State.ACTIVE:
        return False
    if paused_until is not None:
        if subscription.paused_until == paused_until:
            return False
        subscription.paused_until = paused_until
        value = f"paused_until:{paused_until.isoformat()}"
    else:
        if frequency not in topic.allowed_frequencies:
            raise ValueError(f"{frequency!r} is not offered for {topic.slug}")
        if subscription.frequency == frequency and subscription.paused_until is None:
            return False
        subscription.frequency = frequency
        subscription.paused_until = None
        value = frequency
    subscription.save(update_fields=["frequency", "paused_until", "updated_at"])
    _record(
        subscriber, purpose=topic_purpose(topic), action=Action.CHANGED, method=method, value=value, request=request
    )
    return True


@transaction.atomic
def pause_all(
    *, subscriber: Subscriber, until: datetime.date | None, method: str, request: HttpRequest | None = None
) -> bool:
    """Pause every topic until a date (None resumes them now). One event for marketing:all."""
    subscriber, subscriptions = _locked(subscriber)
    targets = [s for s in subscriptions.values() if s.state != Subscription.State.UNSUBSCRIBED]
    if not targets or all(s.paused_until == until for s in targets):
        return False
    for subscription in targets:
        subscription.paused_until = until
        subscription.save(update_fields=["paused_until", "updated_at"])
    _record(
        subscriber,
        purpose=ALL_MARKETING,
        action=Action.CHANGED,
        method=method,
        value=f"paused_until:{until.isoformat()}" if until else "resumed",
        request=request,
    )
    return True


@transaction.atomic
def unsubscribe_all(*, subscriber: Subscriber, method: str, request: HttpRequest | None = None) -> bool:
    """Stop all marketing email. Topic rows are kept (marked unsubscribed at this moment) so it can be undone."""
    subscriber, subscriptions = _locked(subscriber)
    if subscriber.unsubscribed_all_at is not None:
        return False
    now = timezone.now()
    for subscription in subscriptions.values():
        if subscription.state != Subscription.State.UNSUBSCRIBED:
            _set_unsubscribed(subscription, now)
    subscriber.unsubscribed_all_at = now
    subscriber.save(update_fields=["unsubscribed_all_at"])
    _record(subscriber, purpose=ALL_MARKETING, action=Action.WITHDRAWN, method=method, request=request)
    return True


@transaction.atomic
def resubscribe_all(*, subscriber: Subscriber, method: str, request: HttpRequest | None = None) -> bool:
    """Undo unsubscribe_all: the topics it stopped come back as they were; topics stopped earlier stay off."""
    subscriber, subscriptions = _locked(subscriber)
    if subscriber.unsubscribed_all_at is None:
        return False
    restored_state = Subscription.State.ACTIVE if subscriber.confirmed_at else Subscription.State.PENDING
    for subscription in subscriptions.values():
        if subscription.unsubscribed_at == subscriber.unsubscribed_all_at:
            subscription.state = restored_state
            subscription.unsubscribed_at = None
            subscription.save(update_fields=["state", "unsubscribed_at", "updated_at"])
    subscriber.unsubscribed_all_at = None
    subscriber.save(update_fields=["unsubscribed_all_at"])
    _record(subscriber, purpose=ALL_MARKETING, action=Action.GRANTED, method=method, request=request)
    return True


@transaction.atomic
def suppress_subscriber(
    *, subscriber: Subscriber, reason: str, method: str = Method.ESP_WEBHOOK, request: HttpRequest | None = None
) -> bool:
    """A hard bounce or spam complaint: nothing commercial goes to this address any more."""
    reason = Subscriber.SuppressedReason(reason)
    subscriber, _ = _locked(subscriber)
    if subscriber.suppressed_reason == reason or reason == Subscriber.SuppressedReason.NONE:
        return False
    subscriber.suppressed_reason = reason
    subscriber.suppressed_at = timezone.now()
    subscriber.save(update_fields=["suppressed_reason", "suppressed_at"])
    _record(subscriber, purpose=ALL_MARKETING, action=Action.WITHDRAWN, method=method, value=reason, request=request)
    return True


@transaction.atomic
def rotate_subscriber_key(*, subscriber: Subscriber) -> Subscriber:
    """Void every link ever emailed to this subscriber (after erasure, or when staff suspect a leaked link)."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    subscriber.secret_key = new_secret_key()
    subscriber.key_rotated_at = timezone.now()
    subscriber.save(update_fields=["secret_key", "key_rotated_at"])
    return subscriber
