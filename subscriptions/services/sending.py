"""Transactional mail has exactly one way out: send_transactional. Commercial mail goes through the mailing engine."""

from __future__ import annotations

from typing import Any

from anymail.message import AnymailMessage
from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from ..addresses import email_hash
from ..app_settings import app_settings
from ..models import MessageKind, SentEmail, message_kind_choices


def email_language(language: str | None) -> str:
    """The language an email is written in: the person's (one of settings.LANGUAGES), else the shop's default."""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def render_email(template: str, context: dict[str, Any], *, language: str | None = None) -> tuple[str, str, str | None]:
    """Render `<template>_subject.txt`, `_message.txt` and (when present) `_message.html` in `language`.

    `language` is the recipient's saved language (Subscriber.language, User.language, Order.language...), never the
    language of whatever page or task happens to send the email; empty or unknown, the shop's default.
    """
    with translation.override(email_language(language)):
        return _render_email(template, context)


def _render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str | None]:
    context = {
        "SHOP_NAME": app_settings.SITE_NAME,
        "SITE_URL": app_settings.SITE_URL,
        "SHOP_POSTAL_ADDRESS": app_settings.POSTAL_ADDRESS,
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
    language: str | None = None,
) -> AnymailMessage:
    """Send an order, account, customer-service or service email.

    Transactional mail always goes: this never consults marketing consent or suppression, and it
    never carries List-Unsubscribe headers (those would invite people to "unsubscribe" from their receipts).
    The kind and object id travel as anymail tags and metadata so a tracking webhook can trace the message.
    `language` is the recipient's saved language (see render_email).
    """
    from ..mailing.esp import tracking_options  # (the mailing package imports this module)

    kind = str(kind)
    if kind == MessageKind.COMMERCIAL:
        raise ValueError("Commercial email is sent by the mailing engine, never as transactional mail.")
    if kind not in dict(message_kind_choices()):
        raise ValueError(f"Unknown message kind {kind!r}: the host declares its own in SUBSCRIPTIONS_MESSAGE_KINDS.")
    subject, text, html = render_email(template, context, language=language)
    message = AnymailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=reply_to,
        tags=[kind],
        metadata={"kind": kind, "object_id": "" if object_id is None else str(object_id)},
        **tracking_options(track_opens=False),  # no web beacons in transactional mail (where the ESP takes a choice)
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    message.send()
    SentEmail.objects.create(
        recipient_hash=email_hash(to), kind=kind, subject=subject[:200], object_id=message.metadata["object_id"]
    )
    return message
