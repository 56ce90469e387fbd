"""The mailing engine (ARCHITECTURE.md, flow 2; docs/mailing.md).

planning    plan_editions writes one Delivery per eligible subscriber with one INSERT … SELECT per edition (idempotent:
            unique per edition and subscriber, ON CONFLICT DO NOTHING), skips whoever has SUBSCRIPTIONS_WEEKLY_CAP
            emails in the slot's ISO week, and combines a person's editions of one slot into ONE email (the first
            edition's row leads, the others are its sections: carried_by); finishing, the sweep, slot runs.
claiming    a batch claims queued rows with SELECT … FOR UPDATE SKIP LOCKED and a lease and loads them in the same
            statement; then the send-time eligibility re-check (the same selector); rows are marked in bulk.
rendering   the edition rendered once per process and language (the recipient's EditionVersion, else the
            edition's own: the default language's) against plain values; per-recipient links swapped in.
sending     send_batch: one anymail batch call per chunk where the ESP has a batch API (merge_data, merge_headers,
            merge_metadata), else several per-message calls in flight; retries with backoff on 429/5xx/timeouts.
            Batch calls are pipelined (SUBSCRIPTIONS_SEND_PIPELINE): the next chunk is built, the last recorded and
            the next batch claimed while a call is at the ESP.
senders     BatchSender and EachSender (build, call, read the answers), LanguageSender (a chunk's languages, one
            sender each), the per-ESP pacer.
templates   Postmark's and Amazon SES's stored templates (their batch APIs personalise a body only from one):
            stored once per rendering, deleted when the edition is done.
smtp        Django's SMTP backend: the message built once per batch and spliced per recipient, several connections.
inflight    calls in background threads, each thread with its own connection (no database work leaves the task).
esp         what each ESP can do (the only place that names one) and which failures pass.
control     schedule, send now (plans at once), pause, resume and cancel while sending.

Delivery is at-least-once at the database and exactly-once at the recipient's mailbox: every message carries a
Message-ID derived from its Delivery row, so the rare resend after a worker dies between handing a chunk to the ESP
and committing it reaches the mailbox as the same message, which mailbox providers collapse. The window is one
chunk (SUBSCRIPTIONS_SEND_CHUNK; SUBSCRIPTIONS_SEND_PIPELINE chunks if that is above 1) and a test kills a real
worker inside it.
"""

from .control import (
    SENDABLE_NOW,
    as_sent_now,
    cancel_edition,
    pause_edition,
    resume_edition,
    schedule_editions,
    send_now,
)
from .planning import (
    ALERT_DIGEST_HTML,
    ALERT_DIGEST_TEXT,
    attach_alerts,
    finish_edition_if_done,
    plan_edition,
    plan_editions,
    resume_stalled_editions,
    run_slot,
    slot_day,
    week_of,
)
from .rendering import (
    EDITION_SAMPLE_CONTEXT,
    EDITION_VARIABLES,
    PREFERENCES_MARK,
    UNSUBSCRIBE_MARK,
    RenderedEdition,
    edition_template,
    personalise,
    render_edition,
    rendered_for,
)
from .sending import BatchResult, send_batch

__all__ = [
    "ALERT_DIGEST_HTML",
    "ALERT_DIGEST_TEXT",
    "EDITION_SAMPLE_CONTEXT",
    "EDITION_VARIABLES",
    "PREFERENCES_MARK",
    "SENDABLE_NOW",
    "UNSUBSCRIBE_MARK",
    "BatchResult",
    "RenderedEdition",
    "as_sent_now",
    "attach_alerts",
    "cancel_edition",
    "edition_template",
    "finish_edition_if_done",
    "pause_edition",
    "personalise",
    "plan_edition",
    "plan_editions",
    "render_edition",
    "rendered_for",
    "resume_edition",
    "resume_stalled_editions",
    "run_slot",
    "schedule_editions",
    "send_batch",
    "send_now",
    "slot_day",
    "week_of",
]
