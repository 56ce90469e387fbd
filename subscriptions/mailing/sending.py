"""Sending a claimed batch: one anymail batch call per chunk where the ESP has a batch API, else several
per-message calls in flight (Django's SMTP backend: spliced messages on several connections, smtp.py); retries,
permanent refusals, pause and cancel.
With a batch API the calls are pipelined (SUBSCRIPTIONS_SEND_PIPELINE): a chunk's call runs in a background thread
while this task builds the next chunk and, at a full batch's last call, claims and loads the next batch."""

from __future__ import annotations

import datetime
import functools
import time
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ..app_settings import app_settings
from ..models import Delivery, Edition
from . import claiming
from .esp import capabilities, engine_connection
from .inflight import InFlight
from .planning import detach_sections, finish_edition_if_done
from .rendering import rendered_for
from .senders import BatchSender, EachSender, LanguageSender
from .smtp import SmtpSender

CONTINUE_SECONDS = 30  # how long a pipelined task goes on to next batches (then the next task takes over)


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    released: int = 0  # to be tried again later (429/5xx/timeouts outlasted this task's retries)


def send_batch(*, edition_id: int, size: int | None = None) -> BatchResult:
    """Claim up to `size` queued emails this edition leads, re-check each (and each section it carries) against the
    selector, send the eligible ones. An email that carries other editions' sections (topics due in the same slot)
    is rendered per combination of editions; the sections share their email's fate (sent, failed, skipped)."""
    from ..tasks import send_edition_batch

    result = BatchResult()
    # (Its versions and the topic's translations are read when it is first rendered in a language: once per process.)
    edition = Edition.objects.select_related("topic").filter(pk=edition_id).first()
    if edition is None or edition.status != Edition.Status.SENDING:
        return result
    size = size or app_settings.SEND_BATCH_SIZE
    batch = _take_batch(edition, size, result)
    if batch is None:
        finish_edition_if_done(edition_id=edition_id)
        return result
    sections, others, groups = batch
    wait = 0.0
    handed = 0

    def record(tag: tuple[list[Delivery], dict[int, list[Delivery]], LanguageSender, Any], done: Any) -> None:
        """A chunk's answer, in this thread (the database connection's): sent, refused, or released for later."""
        nonlocal wait
        chunk, sections, sender, parts = tag
        outcome = sender.outcome(parts, done)
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

    with engine_connection() as mail:
        caps = capabilities(mail)
        step = app_settings.SEND_CHUNK  # (a batch ESP's chunk is as many calls as its limit asks: BatchSender)

        def chunks(sections: dict, groups: dict) -> list[tuple[tuple[int, ...], list[Delivery], dict]]:
            return [
                (key, rows[i : i + step], sections) for key, rows in groups.items() for i in range(0, len(rows), step)
            ]

        pending = chunks(sections, groups)
        senders: dict[tuple[int, ...], LanguageSender] = {}
        # Batch APIs: chunk i's call runs in a background thread while this one builds chunk i+1 and records
        # chunk i-1 (SEND_PIPELINE calls in flight at most); while a full batch's last call runs, this task claims
        # and loads the next batch and goes on with it (for CONTINUE_SECONDS at most). Per-message ESPs have their
        # own threads (EachSender); their next chunk joins the pool before the last is recorded (_per_message_flight).
        # SEND_PIPELINE 0: one chunk at a time, one batch per task.
        flight = InFlight(app_settings.SEND_PIPELINE) if caps.batches else _per_message_flight(caps)
        started, full = time.monotonic(), result.claimed >= size
        index = 0
        try:
            while index < len(pending):
                key, chunk, sections = pending[index]
                if key not in senders:
                    kind = BatchSender if caps.batches else SmtpSender if caps.smtp else EachSender

                    def make(language: str, key: tuple[int, ...] = key, kind: type = kind) -> Any:
                        return kind(mail, caps, rendered_for(edition, [others[pk] for pk in key], language))

                    senders[key] = LanguageSender(make)
                sender = senders[key]
                parts = sender.prepare(chunk)  # (CPU) while the calls before it are with the ESP
                while flight.calls and len(flight.calls) >= flight.depth:  # recorded before the next call goes:
                    record(*flight.oldest())  # a crash resends at most SEND_PIPELINE chunks (the ones in flight)
                stop = handed and not Edition.objects.filter(pk=edition_id, status=Edition.Status.SENDING).exists()
                if not stop:
                    handed += len(chunk)
                    flight.submit((chunk, sections, sender, parts), functools.partial(sender.dispatch, parts))
                    if not flight.depth:
                        record(*flight.oldest())
                    elif index == len(pending) - 1 and full and time.monotonic() - started < CONTINUE_SECONDS:
                        claimed = result.claimed
                        batch = _take_batch(edition, size, result)  # while the batch's last call is in flight
                        if batch is not None:
                            others.update(batch[1])
                            pending += chunks(batch[0], batch[2])
                        full = result.claimed - claimed >= size
                if stop:  # paused or cancelled by staff while this batch ran: the calls in flight finish, count
                    while flight.calls:
                        record(*flight.oldest())
                    rest = [row for _, rows, _ in pending[index:] for row in rows]
                    claiming.give_back(rest)
                    if Edition.objects.filter(pk=edition_id, status=Edition.Status.CANCELLED).exists():
                        for other in detach_sections(lead_ids=[row.id for row in rest]):
                            send_edition_batch.delay(other)  # the other topics go on, as emails of their own
                    break
                index += 1
            while flight.calls:
                record(*flight.oldest())
        finally:
            flight.wait_all()  # (after an error here: nothing recorded, the rows stay claimed and go again)
            for sender in senders.values():
                sender.close()
    if result.released:
        send_edition_batch.apply_async((edition_id,), countdown=wait)  # (the minute sweep would also find them)
    finish_edition_if_done(edition_id=edition_id)
    for other in others:
        finish_edition_if_done(edition_id=other)
    return result


def _per_message_flight(caps: Any) -> InFlight:
    """Per-message ESPs (EachSender: SEND_CONCURRENCY calls at once in its own pool of threads): a chunk's messages
    are handed to the pool while the chunk before is still being sent, so the pool does not drain at every chunk's
    end while this task waits for the slowest call, records, checks for a pause and claims the next batch. One chunk
    more than SEND_PIPELINE is in flight (the one being recorded overlaps the next): a crash resends at most that many
    chunks, with the same Message-IDs. SEND_PIPELINE 0, SMTP and local backends: one chunk at a time, as before."""
    pipelined = caps.concurrent and app_settings.SEND_CONCURRENCY > 1 and app_settings.SEND_PIPELINE > 0
    return InFlight(app_settings.SEND_PIPELINE + 1 if pipelined else 0, connections=False)


def _take_batch(
    edition: Edition, size: int, result: BatchResult
) -> tuple[dict[int, list[Delivery]], dict[int, Edition], dict[tuple[int, ...], list[Delivery]]] | None:
    """Claim up to `size` rows, skip the ones no longer eligible (and the sections they carry, or that are held
    or gone), group the rest by the editions their email combines: (sections by lead, other editions, groups).
    Within a group the rows are in language order, so most chunks hold one language; a chunk that holds two is
    sent as one call per language (LanguageSender)."""
    claimed = claiming.claim(edition, size)
    result.claimed += len(claimed)
    if not claimed:
        return None
    to_send, ineligible = claiming.check(edition, claimed)
    result.skipped += claiming.mark_skipped(ineligible, "not eligible at send time")
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
    for rows in groups.values():  # a language's recipients side by side: most chunks hold one language (one call)
        rows.sort(key=lambda row: row.subscriber.language or "")
    return sections, others, groups


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
