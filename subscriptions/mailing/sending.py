"""Sending a claimed batch: one anymail batch call per chunk where the ESP has a batch API, else several
per-message calls in flight (or one SMTP connection in turn); retries, permanent refusals, pause and cancel."""

from __future__ import annotations

import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from anymail.message import AnymailMessage
from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone

from ..app_settings import app_settings
from ..emails import list_unsubscribe_headers
from ..models import Delivery, Edition, MessageKind
from . import claiming
from .esp import Capabilities, call_with_retries, capabilities, describe, fit_tags, is_transient, tracking_options
from .planning import detach_sections, finish_edition_if_done
from .rendering import (
    PREFERENCES_MARK,
    UNSUBSCRIBE_MARK,
    RenderedEdition,
    message_id_for,
    personalise,
    recipient_links,
    rendered_for,
    section_links,
)

UNSUBSCRIBE_FIELD = "spc_unsubscribe_url"  # merge_data keys of a batch call
PREFERENCES_FIELD = "spc_preferences_url"
SECTION_FIELD = "spc_section{}_unsubscribe_url"
REJECTED = {"rejected", "invalid"}  # anymail recipient statuses that mean "never delivered"


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    released: int = 0  # to be tried again later (429/5xx/timeouts outlasted this task's retries)


@dataclass
class Outcome:
    sent: dict[int, str] = field(default_factory=dict)  # delivery id -> ESP message id
    failed: dict[int, str] = field(default_factory=dict)  # delivery id -> why (permanent)
    retry: dict[int, str] = field(default_factory=dict)  # delivery id -> why (passing)


def send_batch(*, edition_id: int, size: int | None = None) -> BatchResult:
    """Claim up to `size` queued emails this edition leads, re-check each (and each section it carries) against the
    selector, send the eligible ones. An email that carries other editions' sections (topics due in the same slot)
    is rendered per combination of editions; the sections share their email's fate (sent, failed, skipped)."""
    from ..tasks import send_edition_batch

    result = BatchResult()
    edition = Edition.objects.select_related("topic").filter(pk=edition_id).first()
    if edition is None or edition.status != Edition.Status.SENDING:
        return result
    size = size or app_settings.SEND_BATCH_SIZE
    ids = claiming.claim(edition_id, size)
    result.claimed = len(ids)
    if not ids:
        finish_edition_if_done(edition_id=edition_id)
        return result
    to_send, ineligible = claiming.load(edition, ids)
    result.skipped = claiming.mark_skipped(ineligible, "not eligible at send time")
    claiming.mark_skipped(claiming.sections_of(ineligible), "its email's first topic was not eligible at send time")
    sections, held, gone = claiming.load_sections(to_send)
    claiming.mark_skipped(held, "its edition was paused or cancelled when the combined email went out")
    claiming.mark_skipped(gone, "not eligible at send time")
    others = {
        e.pk: e
        for e in Edition.objects.filter(pk__in={row.edition_id for rows in sections.values() for row in rows})
        .select_related("topic")
        .order_by()
    }
    order = {pk: (e.topic.position, e.topic_id, pk) for pk, e in others.items()}
    groups: dict[tuple[int, ...], list[Delivery]] = {}
    for row in to_send:
        key = tuple(sorted((section.edition_id for section in sections.get(row.id, [])), key=order.__getitem__))
        groups.setdefault(key, []).append(row)
    wait = 0.0
    handed = 0
    with get_connection() as mail:
        caps = capabilities(mail)
        step = min(app_settings.SEND_CHUNK, caps.batch_size) if caps.batches else app_settings.SEND_CHUNK
        pending = [(key, rows[i : i + step]) for key, rows in groups.items() for i in range(0, len(rows), step)]
        senders: dict[tuple[int, ...], BatchSender | EachSender] = {}
        try:
            for index, (key, chunk) in enumerate(pending):
                if handed and not Edition.objects.filter(pk=edition_id, status=Edition.Status.SENDING).exists():
                    rest = [row for _, rows in pending[index:] for row in rows]
                    claiming.give_back(rest)  # paused or cancelled by staff while this batch ran
                    if Edition.objects.filter(pk=edition_id, status=Edition.Status.CANCELLED).exists():
                        for other in detach_sections(lead_ids=[row.id for row in rest]):
                            send_edition_batch.delay(other)  # the other topics go on, as emails of their own
                    break
                if key not in senders:
                    rendered = rendered_for(edition, [others[pk] for pk in key])
                    senders[key] = (BatchSender if caps.batches else EachSender)(mail, caps, rendered)
                handed += len(chunk)
                outcome = senders[key].send(chunk)
                now = timezone.now()
                claiming.mark_sent(_with_sections(outcome.sent, sections), now=now)
                claiming.mark_failed(_with_sections(outcome.failed, sections))
                result.sent += len(outcome.sent)
                result.failed += len(outcome.failed)
                if outcome.retry:
                    rows = [row for row in chunk if row.id in outcome.retry]
                    wait = max(wait, _release_wait(rows))
                    reason = next(iter(outcome.retry.values()))
                    failed, released = claiming.release(rows, reason, not_before=now + datetime.timedelta(seconds=wait))
                    final = {row.id: reason for row in rows if row.attempts >= app_settings.SEND_MAX_ATTEMPTS}
                    claiming.mark_failed({k: v for k, v in _with_sections(final, sections).items() if k not in final})
                    result.failed += failed
                    result.released += released
        finally:
            for sender in senders.values():
                sender.close()
    if result.released:
        send_edition_batch.apply_async((edition_id,), countdown=wait)  # (the minute sweep would also find them)
    finish_edition_if_done(edition_id=edition_id)
    for other in others:
        finish_edition_if_done(edition_id=other)
    return result


def _with_sections(by_lead: dict[int, str], sections: dict[int, list[Delivery]]) -> dict[int, str]:
    """{lead id: value} extended to the sections each lead carries (they went, or failed, in the same email)."""
    out = dict(by_lead)
    for lead_id, value in by_lead.items():
        for section in sections.get(lead_id, []):
            out[section.id] = value
    return out


def _release_wait(rows: list[Delivery]) -> float:
    """How long released rows wait: the backoff continues where this task's retries stopped."""
    from .esp import backoff

    return backoff(app_settings.SEND_RETRIES + max(row.attempts for row in rows))


class EachSender:
    """One message per call. HTTP APIs: SEND_CONCURRENCY calls in flight, each thread with its own connection,
    paced by the ESP's SEND_RATE_LIMITS entry. SMTP and local backends: in turn, on the batch's one connection."""

    def __init__(self, mail: Any, caps: Capabilities, rendered: RenderedEdition) -> None:
        self.mail, self.caps, self.rendered = mail, caps, rendered
        threads = app_settings.SEND_CONCURRENCY if caps.concurrent else 1
        self.pool = _shared_pool(threads) if threads > 1 else None
        self.pace = pacer(caps.esp_name)

    def _connection(self) -> Any:
        """This thread's own open connection, kept for the next batch (an HTTP session, an SES client: building
        one costs more than a call)."""
        if self.pool is None:
            return self.mail
        key = (settings.EMAIL_BACKEND, repr(getattr(settings, "ANYMAIL", None)))
        if getattr(_threads, "key", None) != key:
            if getattr(_threads, "connection", None) is not None:
                _threads.connection.close()
            _threads.connection = get_connection()
            _threads.connection.open()
            _threads.key = key
        return _threads.connection

    def send_one(self, row: Delivery) -> tuple[int, str, str]:
        message = personalise(self.rendered, row.subscriber, delivery_id=row.id, open_tracking=row.open_tracking)
        connection = self._connection()

        def call() -> None:
            self.pace()
            connection.send_messages([message])

        try:
            call_with_retries(call, on_retry=lambda: _reopen(connection))
        except Exception as error:
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

    def close(self) -> None:
        pass  # the pool and its threads' connections serve the next batch of this process


_threads = threading.local()
_pools: dict[int, ThreadPoolExecutor] = {}


def _shared_pool(threads: int) -> ThreadPoolExecutor:
    """One pool of sending threads per process (per size), reused by every batch."""
    if threads not in _pools:
        _pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="send")
    return _pools[threads]


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
        message.merge_data, message.merge_headers, message.merge_metadata = {}, {}, {}
        for row in rows:
            email = row.subscriber.email
            unsubscribe, preferences = recipient_links(self.rendered, row.subscriber)
            message.merge_data[email] = {UNSUBSCRIBE_FIELD: unsubscribe, PREFERENCES_FIELD: preferences}
            for i, link in enumerate(section_links(self.rendered, row.subscriber)):
                message.merge_data[email][SECTION_FIELD.format(i)] = link
            headers = list_unsubscribe_headers(unsubscribe)
            del headers["List-Unsubscribe-Post"]  # the same for everyone: a message header
            headers["Message-ID"] = message_id_for(self.rendered, row.id)
            message.merge_headers[email] = headers
            message.merge_metadata[email] = {"delivery_id": str(row.id), "subscriber_id": str(row.subscriber.pk)}
        return message

    def send(self, chunk: list[Delivery]) -> Outcome:
        outcome = Outcome()
        for track_opens in (False, True):  # open beacons are per message: one call per choice
            rows = [row for row in chunk if bool(row.open_tracking) is track_opens]
            if not rows:
                continue
            message = self.message(rows, track_opens=track_opens)

            def call(message: AnymailMessage = message) -> None:
                self.pace()
                self.mail.send_messages([message])

            try:
                call_with_retries(call, on_retry=lambda: _reopen(self.mail))
            except Exception as error:
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
                else:
                    outcome.sent[row.id] = str((recipient.message_id if recipient else None) or "")
        return outcome

    def close(self) -> None:
        self.one_by_one.close()


def _reopen(connection: Any) -> None:
    """Before a retry: a fresh connection (SMTP after a drop; a new HTTP session). Opening may fail: the next
    send_messages opens one itself."""
    try:
        connection.close()
        connection.open()
    except Exception:  # noqa: S110 (the retry reports the real error)
        pass


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
