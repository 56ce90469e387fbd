"""What the subscriptions app sends: the double opt-in confirmation, and every commercial message's envelope."""

from __future__ import annotations

from typing import Any

from anymail.message import AnymailMessage
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .app_settings import app_settings
from .models import MessageKind, Subscriber, Topic
from .services import render_email, send_transactional
from .services.sending import email_language
from .tokens import Purpose, make_token


def absolute(path: str) -> str:
    return f"{app_settings.SITE_URL}{path}"


def unsubscribe_url(subscriber: Subscriber, topic: Topic) -> str:
    token = make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topic)
    return absolute(reverse("subscriptions:unsubscribe", args=[token]))


def preferences_url(subscriber: Subscriber) -> str:
    token = make_token(subscriber, purpose=Purpose.PREFERENCES)
    return absolute(reverse("subscriptions:preferences_token", args=[token]))


def confirm_url(subscriber: Subscriber) -> str:
    token = make_token(subscriber, purpose=Purpose.CONFIRM)
    return absolute(reverse("subscriptions:subscribe_confirm", args=[token]))


def send_subscribe_confirmation(subscriber: Subscriber) -> None:
    """Double opt-in: the link that turns a subscribe-form request into a subscription. Account mail, not marketing."""
    pending = [s.topic for s in subscriber.subscriptions.select_related("topic").filter(state="pending")]
    send_transactional(
        to=subscriber.email,
        template="email/subscriptions/confirm",
        context={"confirm_url": confirm_url(subscriber), "topics": pending},
        kind=MessageKind.ACCOUNT,
        object_id=f"subscriber:{subscriber.pk}",
        language=subscriber.language,
    )


def build_commercial_message(
    *, subscriber: Subscriber, topic: Topic, template: str, context: dict[str, Any] | None = None
) -> AnymailMessage:
    """Build (not send) one commercial email for a subscriber and topic. The mailing engine sends it.

    `template` names `<template>_subject.txt`, `_message.txt` and `_message.html`; the HTML extends
    `email/subscriptions/commercial_base.html`, whose footer carries the unsubscribe and preferences links and
    the shop's postal address; this function appends the same footer to the text part. Headers: RFC 2369
    `List-Unsubscribe` (https, plus mailto when SUBSCRIPTIONS_UNSUBSCRIBE_MAILTO is set) and RFC 8058
    `List-Unsubscribe-Post`, so mail providers can offer one-click unsubscribe from this topic.
    Checking eligibility is the caller's job (selectors.eligible_subscriptions), at plan time and at send time.
    """
    links = {
        "unsubscribe_url": unsubscribe_url(subscriber, topic),
        "preferences_url": preferences_url(subscriber),
        "topic": topic,
        "SHOP_POSTAL_ADDRESS": app_settings.POSTAL_ADDRESS,
    }
    full_context = {**(context or {}), **links}
    subject, text, html = render_email(template, full_context, language=subscriber.language)
    with translation.override(email_language(subscriber.language)):
        footer = render_to_string("email/subscriptions/commercial_footer.txt", full_context).strip()
    text = text + "\n" + footer + "\n"
    if html is None or links["unsubscribe_url"] not in html:
        raise ValueError(f"{template}_message.html must extend email/subscriptions/commercial_base.html")
    return commercial_message(
        subscriber=subscriber,
        topic=topic,
        subject=subject,
        text=text,
        html=html,
        unsubscribe_url=links["unsubscribe_url"],
    )


def list_unsubscribe_headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 2369 List-Unsubscribe (https, plus mailto when SUBSCRIPTIONS_UNSUBSCRIBE_MAILTO is set) and RFC 8058
    List-Unsubscribe-Post, so mail providers offer one-click unsubscribe from this topic."""
    list_unsubscribe = f"<{unsubscribe_url}>"
    if app_settings.UNSUBSCRIBE_MAILTO:
        list_unsubscribe += f", <mailto:{app_settings.UNSUBSCRIBE_MAILTO}?subject=unsubscribe>"
    return {"List-Unsubscribe": list_unsubscribe, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def commercial_message(
    *,
    subscriber: Subscriber,
    topic: Topic,
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str,
    message_id: str | None = None,
    metadata: dict[str, str] | None = None,
    track_opens: bool = False,
) -> AnymailMessage:
    """The envelope every commercial email shares: one-click unsubscribe headers, tags and metadata.

    Tags are cut to what the ESP takes (Postmark: one); kind and topic are in the metadata whatever the ESP.
    """
    from .mailing.esp import fit_tags, tracking_options  # (the mailing package imports this module)

    headers = list_unsubscribe_headers(unsubscribe_url)
    if message_id:
        headers["Message-ID"] = message_id
    message = AnymailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        headers=headers,
        tags=fit_tags([MessageKind.COMMERCIAL.value, f"topic:{topic.slug}"]),
        metadata={
            "kind": MessageKind.COMMERCIAL.value,
            "subscriber_id": str(subscriber.pk),
            "topic": topic.slug,
            **(metadata or {}),
        },
        **tracking_options(track_opens=track_opens),  # an open beacon only where the person allowed analytics
    )
    message.attach_alternative(html, "text/html")
    return message
