"""The senders of a chunk: BatchSender (one anymail batch call per chunk, or several at once where the ESP takes fewer
recipients a call; Postmark and SES through a stored template, templates.py) and EachSender (one call per message:
several in flight for HTTP APIs, in turn on one connection for local backends); the per-ESP pacer. Django's SMTP
backend has its own sender (smtp.py: the message spliced per recipient, several connections).

A BatchSender's work is split for the pipeline (docs/mailing.md): `prepare` builds the chunk's messages (CPU, the
task's thread), `dispatch` makes the calls (any thread, its own connection; no database), `outcome` reads the
answers (the task's thread: a refused call is retried one message at a time).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from anymail.message import AnymailMessage
from django.conf import settings

from ..app_settings import app_settings
from ..emails import list_unsubscribe_headers
from ..models import Delivery, MessageKind
from ..services.sending import email_language
from . import templates
from .esp import Capabilities, call_with_retries, describe, fit_tags, is_transient, tracking_options
from .inflight import reopen, shared_pool, thread_connection
from .rendering import (
    PREFERENCES_MARK,
    UNSUBSCRIBE_MARK,
    Links,
    RenderedEdition,
    personalise,
    recipient_links,
)

UNSUBSCRIBE_FIELD = "spc_unsubscribe_url"  # merge_data keys of a batch call
PREFERENCES_FIELD = "spc_preferences_url"
SECTION_FIELD = "spc_section{}_unsubscribe_url"
REJECTED = {"rejected", "invalid"}  # anymail recipient statuses that mean "never delivered"


def send_paced(connection: Any, message: Any, pace: Any) -> Exception | None:
    """One API call (paced) with its retries on `connection`, a fresh one before each retry: None (the ESP
    answered) or the error that ended its tries."""

    def call() -> None:
        pace()
        connection.send_messages([message])

    try:
        call_with_retries(call, on_retry=lambda: reopen(connection))
    except Exception as error:
        return error
    return None


@dataclass
class Outcome:
    sent: dict[int, str] = field(default_factory=dict)  # delivery id -> ESP message id
    failed: dict[int, str] = field(default_factory=dict)  # delivery id -> why (permanent)
    retry: dict[int, str] = field(default_factory=dict)  # delivery id -> why (passing)


class EachSender:
    """One message per call. HTTP APIs: SEND_CONCURRENCY calls in flight, each thread with its own connection,
    paced by the ESP's SEND_RATE_LIMITS entry. Local backends (console, files, memory, anymail's test backend): in
    turn, on the batch's one connection. (Django's SMTP backend: SmtpSender, smtp.py.)"""

    def __init__(self, mail: Any, caps: Capabilities, rendered: RenderedEdition) -> None:
        self.mail, self.caps, self.rendered = mail, caps, rendered
        threads = app_settings.SEND_CONCURRENCY if caps.concurrent else 1
        self.pool = shared_pool(threads) if threads > 1 else None
        self.pace = pacer(caps.esp_name)
        self.warm = self.pool is None

    def _connection(self) -> Any:
        """This thread's own open connection (kept for the next batch), or the batch's one in turn."""
        return self.mail if self.pool is None else thread_connection()

    def send_one(self, row: Delivery) -> tuple[int, str, str]:
        message = personalise(self.rendered, row.subscriber, delivery_id=row.id, open_tracking=row.open_tracking)
        error = send_paced(self._connection(), message, self.pace)
        if error is not None:
            return row.id, ("retry" if is_transient(error) else "failed"), describe(error)
        status = getattr(message, "anymail_status", None)
        recipient = status.recipients.get(row.subscriber.email) if status is not None else None
        if recipient is not None and recipient.status in REJECTED:
            return row.id, "failed", f"refused by the ESP ({recipient.status})"
        return row.id, "sent", str((recipient.message_id if recipient is not None else None) or "")

    def send(self, chunk: list[Delivery]) -> Outcome:
        outcome = Outcome()
        results = self.pool.map(self.send_one, chunk) if self.pool else map(self.send_one, chunk)
        for delivery_id, kind, value in results:
            getattr(outcome, kind)[delivery_id] = value
        return outcome

    def prepare(self, chunk: list[Delivery]) -> list[Delivery]:
        """Each message is built in its sending thread. Once, here: one recipient's links, so the URL prefixes they
        are made from are reversed once (not by every pool thread at once on its first message, ~50 ms each)."""
        if not self.warm and chunk:
            recipient_links(self.rendered, chunk[0].subscriber)
            self.warm = True
        return chunk

    def dispatch(self, chunk: list[Delivery], connection: Any = None) -> Outcome:
        return self.send(chunk)

    def outcome(self, chunk: list[Delivery], outcome: Outcome) -> Outcome:
        return outcome

    def close(self) -> None:
        pass  # the pool and its threads' connections serve the next batch of this process


class BatchSender:
    """One anymail batch call per chunk: `to` is the chunk; merge_data carries each recipient's links,
    merge_headers their List-Unsubscribe and Message-ID, merge_metadata their delivery id."""

    def __init__(self, mail: Any, caps: Capabilities, rendered: RenderedEdition) -> None:
        self.mail, self.caps, self.rendered = mail, caps, rendered
        marks = {UNSUBSCRIBE_MARK: caps.merge_field.format(UNSUBSCRIBE_FIELD)}
        marks[PREFERENCES_MARK] = caps.merge_field.format(PREFERENCES_FIELD)
        for i, mark in enumerate(rendered.section_marks()):  # a combined email: each section's own topic link
            marks[mark] = caps.merge_field.format(SECTION_FIELD.format(i))
        self.text, self.html = rendered.text, rendered.html
        for mark, placeholder in marks.items():
            self.text, self.html = self.text.replace(mark, placeholder), self.html.replace(mark, placeholder)
        self.one_by_one = EachSender(
            mail, Capabilities(caps.esp_name, max_tags=caps.max_tags, tracking=caps.tracking), rendered
        )
        self.pace = pacer(caps.esp_name)
        self.template: str | None = None  # the ESP's stored template (caps.stored_template: Postmark, SES)
        self.fallback: EachSender | None = None  # ... or, if it can't be stored, one call per message
        if caps.stored_template:
            placeholders = list(marks.values())
            self.template = templates.ensure(
                mail, rendered.edition_id, rendered.subject, self.text, self.html, placeholders
            )
            if self.template is None:
                per_message = Capabilities(
                    caps.esp_name, max_tags=caps.max_tags, concurrent=caps.concurrent, tracking=caps.tracking
                )
                self.fallback = EachSender(mail, per_message, rendered)

    def message(self, rows: list[Delivery], *, track_opens: bool) -> AnymailMessage:
        topic = self.rendered.topic
        message = AnymailMessage(
            subject=self.rendered.subject,
            body=self.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[row.subscriber.email for row in rows],
            headers={"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            tags=fit_tags([MessageKind.COMMERCIAL.value, f"topic:{topic.slug}"], self.caps),
            metadata={
                "kind": MessageKind.COMMERCIAL.value,
                "topic": topic.slug,
                "edition_id": str(self.rendered.edition_id),
                **({"sections": ",".join(t.slug for t in self.rendered.sections)} if self.rendered.sections else {}),
            },
            **tracking_options(track_opens=track_opens, caps=self.caps),
        )
        message.attach_alternative(self.html, "text/html")
        links = Links(self.rendered)  # (per message: the settings it reads are read once, not per recipient)
        # List-Unsubscribe around each recipient's link (List-Unsubscribe-Post is the same for all: a message header)
        before, _, after = list_unsubscribe_headers(UNSUBSCRIBE_MARK)["List-Unsubscribe"].partition(UNSUBSCRIBE_MARK)
        section_fields = [SECTION_FIELD.format(i) for i in range(len(self.rendered.sections))]
        merge_data, merge_headers, merge_metadata = {}, {}, {}
        for row in rows:
            subscriber = row.subscriber
            email = subscriber.email
            unsubscribe, preferences = links.recipient(subscriber)
            data = {UNSUBSCRIBE_FIELD: unsubscribe, PREFERENCES_FIELD: preferences}
            if section_fields:
                data.update(zip(section_fields, links.sections(subscriber), strict=True))
            merge_data[email] = data
            merge_headers[email] = {
                "List-Unsubscribe": f"{before}{unsubscribe}{after}",
                "Message-ID": links.message_id(row.id),
            }
            merge_metadata[email] = {"delivery_id": str(row.id), "subscriber_id": str(subscriber.pk)}
        message.merge_data, message.merge_headers, message.merge_metadata = merge_data, merge_headers, merge_metadata
        return message

    def prepare(self, chunk: list[Delivery]) -> list[tuple[list[Delivery], AnymailMessage]]:
        """The chunk's batch messages: one per open-tracking choice (open beacons are per message)."""
        if self.fallback is not None:
            return self.fallback.prepare(chunk)
        parts = []
        for track_opens in (False, True):
            rows = [row for row in chunk if bool(row.open_tracking) is track_opens]
            for i in range(0, len(rows), self.caps.batch_size):  # the ESP's limit per call (SES: 50)
                part = rows[i : i + self.caps.batch_size]
                parts.append((part, self.message(part, track_opens=track_opens)))
                if self.template is not None:  # subject and bodies come from the ESP's stored template
                    templates.use(parts[-1][1], self.template, self.caps.esp_name)
        return parts

    def dispatch(self, parts: list[tuple[list[Delivery], AnymailMessage]], connection: Any = None) -> list[Any]:
        """Make the calls (with retries) on `connection` (a background thread's own) or the batch's connection.
        Touches no database: returns, per message, None (the ESP answered) or the error that ended its tries."""
        if self.fallback is not None:
            return self.fallback.dispatch(parts)
        if len(parts) > 1 and self.caps.batch_size < app_settings.SEND_CHUNK and self.caps.concurrent:
            # A chunk of several calls (an ESP with a small limit per call: SES's 50): at once, each pool thread
            # on its own connection, as per-message calls are; the answers come back in the parts' order.
            pool = shared_pool(app_settings.SEND_CONCURRENCY, "calls")
            return list(pool.map(lambda part: self._call(part[1], thread_connection()), parts))
        connection = connection or self.mail
        return [self._call(message, connection) for _, message in parts]

    def _call(self, message: AnymailMessage, connection: Any) -> Exception | None:
        return send_paced(connection, message, self.pace)

    def outcome(self, parts: list[tuple[list[Delivery], AnymailMessage]], errors: list[Any]) -> Outcome:
        """What each recipient's answer means (in the task's thread: a refused call is retried one by one)."""
        if self.fallback is not None:
            return errors
        outcome = Outcome()
        for (rows, message), error in zip(parts, errors, strict=True):
            if error is not None:
                if is_transient(error):
                    outcome.retry.update(dict.fromkeys((row.id for row in rows), describe(error)))
                else:  # a refusal of the whole call (say, one malformed address): find which, one at a time
                    single = self.one_by_one.send(rows)
                    for kind in ("sent", "failed", "retry"):
                        getattr(outcome, kind).update(getattr(single, kind))
                continue
            statuses = message.anymail_status.recipients
            for row in rows:
                recipient = statuses.get(row.subscriber.email)
                if recipient is not None and recipient.status in REJECTED:
                    outcome.failed[row.id] = f"refused by the ESP ({recipient.status})"
                elif recipient is not None and recipient.status == "failed":  # SES SendBulkEmail: one entry refused
                    why = templates.entry_retry(message, row.subscriber.email)
                    (outcome.retry if why else outcome.failed)[row.id] = why or "refused by the ESP (failed)"
                else:
                    outcome.sent[row.id] = str((recipient.message_id if recipient else None) or "")
        return outcome

    def send(self, chunk: list[Delivery]) -> Outcome:
        parts = self.prepare(chunk)
        return self.outcome(parts, self.dispatch(parts))

    def close(self) -> None:
        self.one_by_one.close()
        if self.fallback is not None:
            self.fallback.close()


class LanguageSender:
    """A chunk's recipients in their languages: one BatchSender or EachSender per language (each with that
    language's rendering, made on first need), the chunk split by language inside `prepare` so chunks, claims and
    the rows recorded per chunk stay as they were; a batch API gets one call per language present in the chunk."""

    def __init__(self, make: Any) -> None:
        self.make = make  # language -> BatchSender | EachSender
        self.senders: dict[str, BatchSender | EachSender] = {}

    def _sender(self, language: str) -> BatchSender | EachSender:
        if language not in self.senders:
            self.senders[language] = self.make(language)
        return self.senders[language]

    def prepare(self, chunk: list[Delivery]) -> list[tuple[BatchSender | EachSender, Any]]:
        by_language: dict[str, list[Delivery]] = {}
        languages: dict[str, str] = {}  # saved language -> the email's (worked out once per chunk, not per row)
        for row in chunk:
            saved = row.subscriber.language
            if saved not in languages:
                languages[saved] = email_language(saved)
            by_language.setdefault(languages[saved], []).append(row)
        return [(self._sender(lang), self._sender(lang).prepare(rows)) for lang, rows in by_language.items()]

    def dispatch(self, parts: list[tuple[BatchSender | EachSender, Any]], connection: Any = None) -> list[Any]:
        return [sender.dispatch(part, connection) for sender, part in parts]

    def outcome(self, parts: list[tuple[BatchSender | EachSender, Any]], done: list[Any]) -> Outcome:
        outcome = Outcome()
        for (sender, part), answer in zip(parts, done, strict=True):
            one = sender.outcome(part, answer)
            for kind in ("sent", "failed", "retry"):
                getattr(outcome, kind).update(getattr(one, kind))
        return outcome

    def close(self) -> None:
        for sender in self.senders.values():
            sender.close()


_pacers: dict[str, Any] = {}


def pacer(esp_name: str):
    """A per-process limiter of API calls per second for one ESP (SUBSCRIPTIONS_SEND_RATE_LIMITS)."""
    rate = app_settings.SEND_RATE_LIMITS.get(esp_name) if esp_name else None
    if not rate:
        return lambda: None
    key = f"{esp_name}:{rate}"
    if key not in _pacers:
        lock, state = threading.Lock(), {"next": 0.0}

        def pace() -> None:
            with lock:
                now = time.monotonic()
                at = max(now, state["next"])
                state["next"] = at + 1 / rate
            if at > now:
                time.sleep(at - now)

        _pacers[key] = pace
    return _pacers[key]
