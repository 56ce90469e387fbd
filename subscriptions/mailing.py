"""The mailing engine (ARCHITECTURE.md, flow 2).

plan_edition   writes one Delivery per eligible subscriber with one INSERT … SELECT (idempotent: unique per
               edition and subscriber, ON CONFLICT DO NOTHING).
send_batch     claims queued rows with SELECT … FOR UPDATE SKIP LOCKED and a lease, re-checks eligibility with the
               same selector in the same query that loads the recipients, renders the edition once per process and
               only swaps the per-recipient links, sends through one connection and marks rows in bulk.

Delivery is at-least-once at the database and exactly-once at the recipient's mailbox: every message carries a
Message-ID derived from its Delivery row, so the rare resend after a worker dies between handing a chunk to the ESP
and committing it reaches the mailbox as the same message, which mailbox providers collapse. The window is one
chunk (SUBSCRIPTIONS_SEND_CHUNK) and a test kills a real worker inside it.
"""

from __future__ import annotations

import datetime
import functools
import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from anymail.message import AnymailMessage
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from privacy.models import PrivacySettings

from . import lookups  # noqa: F401 (registers __any_of)
from .app_settings import app_settings
from .emails import commercial_message
from .models import AlertItem, Delivery, Edition, Subscriber, Topic
from .schedule import due_frequencies, shop_zone
from .selectors import eligible_subscriptions
from .services import render_email
from .tokens import Purpose, make_token

UNSUBSCRIBE_MARK = "spc-unsubscribe-url-mark"
PREFERENCES_MARK = "spc-preferences-url-mark"

# The variables an edition's body may use (documented in the admin and docs/mailing.md).
EDITION_VARIABLES = {
    "topic": "the topic (topic.name)",
    "items": "alert items queued for this edition (item.title, item.link, item.image_url)",
    "SHOP_NAME": "the shop's name",
    "SITE_URL": "the shop's address, for links",
    "preferences_url": "this recipient's preferences page",
    "unsubscribe_url": "this recipient's unsubscribe page for the topic",
}


@dataclass(frozen=True)
class RenderedEdition:
    edition_id: int
    topic: Topic
    subject: str
    text: str
    html: str


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def slot_day(edition: Edition) -> datetime.date:
    return edition.slot_at.astimezone(shop_zone()).date()


def render_edition(edition: Edition) -> RenderedEdition:
    """Render subject, text and HTML once; the per-recipient links are marks that personalise() swaps."""
    items = list(AlertItem.objects.filter(sent_in_edition_id=edition.pk)) if edition.pk else []
    context = {
        "topic": edition.topic,
        "items": items,
        "SHOP_NAME": app_settings.SITE_NAME,
        "SITE_URL": app_settings.SITE_URL,
        "unsubscribe_url": UNSUBSCRIBE_MARK,
        "preferences_url": PREFERENCES_MARK,
    }
    body_html = Template(edition.body_html).render(Context(context))
    body_text = Template(edition.body_text).render(Context(context, autoescape=False))
    subject, text, html = render_email(
        "email/subscriptions/edition",
        {
            **context,
            "subject": edition.subject,
            "preheader": edition.preheader,
            "body_html": body_html,
            "body_text": body_text,
        },
    )
    return RenderedEdition(edition.pk, edition.topic, subject, text, html or "")


@functools.lru_cache(maxsize=8)
def _link_prefix(name: str, site_url: str) -> tuple[str, str]:
    """reverse() once per URL name; each message only slots its token in."""
    before, _, after = reverse(name, args=["TOKEN"]).partition("TOKEN")
    return f"{site_url}{before}", after


def _link(name: str, token: str) -> str:
    before, after = _link_prefix(name, app_settings.SITE_URL)
    return f"{before}{token}{after}"


def personalise(
    rendered: RenderedEdition,
    subscriber: Subscriber,
    *,
    delivery_id: int | None = None,
    test: bool = False,
    open_tracking: bool = False,
) -> AnymailMessage:
    if test:
        unsubscribe = preferences = f"{app_settings.SITE_URL}{reverse('subscriptions:preferences')}"
    else:
        unsubscribe = _link(
            "subscriptions:unsubscribe", make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=rendered.topic)
        )
        preferences = _link("subscriptions:preferences_token", make_token(subscriber, purpose=Purpose.PREFERENCES))
    text = rendered.text.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(PREFERENCES_MARK, preferences)
    html = rendered.html.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(PREFERENCES_MARK, preferences)
    message_id = None
    if delivery_id is not None:
        domain = urlsplit(app_settings.SITE_URL).hostname or "localhost"
        message_id = f"<delivery-{delivery_id}.edition-{rendered.edition_id}@{domain}>"
    return commercial_message(
        subscriber=subscriber,
        topic=rendered.topic,
        subject=("[TEST] " if test else "") + rendered.subject,
        text=text,
        html=html,
        unsubscribe_url=unsubscribe,
        message_id=message_id,
        metadata={"edition_id": str(rendered.edition_id), "delivery_id": str(delivery_id or "")},
        track_opens=open_tracking,
    )


_rendered_cache: dict[tuple[int, datetime.datetime | None], RenderedEdition] = {}


def rendered_for(edition: Edition) -> RenderedEdition:
    """One rendering per edition per worker process (an edition can't change once planned)."""
    key = (edition.pk, edition.planned_at)
    if key not in _rendered_cache:
        _rendered_cache.clear()
        _rendered_cache[key] = render_edition(edition)
    return _rendered_cache[key]


def plan_edition(*, edition_id: int) -> int:
    """Write the edition's deliveries for everyone eligible in its slot; return how many are queued.

    Set-based and idempotent: running it twice adds nothing. The batch tasks are enqueued after commit.
    """
    from .tasks import send_edition_batch

    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=edition_id)
        if edition.status not in {Edition.Status.SCHEDULED, Edition.Status.SENDING}:
            return 0
        if not edition.frequencies:
            edition.frequencies = due_frequencies(edition.slot_at)
        audience = eligible_subscriptions(edition.topic_id, frequencies=edition.frequencies, on=slot_day(edition))
        # order_by(): no ORDER BY (Subscription's default ordering would sort a million rows for nothing).
        select_sql, params = audience.order_by().values_list("subscriber_id", "id").query.sql_with_params()
        table = Delivery._meta.db_table
        with connection.cursor() as cursor:
            # (SQLite, for the demo, needs a WHERE before ON CONFLICT to parse an INSERT … SELECT.)
            cursor.execute(
                f"INSERT INTO {table} (edition_id, subscriber_id, subscription_id, status, attempts, "  # noqa: S608
                f"esp_message_id, error) SELECT %s, audience.*, %s, 0, '', '' FROM ({select_sql}) AS audience "
                f"WHERE 1 = 1 ON CONFLICT (edition_id, subscriber_id) DO NOTHING",
                [edition.pk, Delivery.Status.QUEUED, *params],
            )
        edition.status = Edition.Status.SENDING
        edition.planned_at = edition.planned_at or timezone.now()
        edition.save(update_fields=["status", "frequencies", "planned_at"])
        queued = Delivery.objects.filter(edition=edition, status=Delivery.Status.QUEUED).count()
        batches = math.ceil(queued / app_settings.SEND_BATCH_SIZE)
        transaction.on_commit(lambda: [send_edition_batch.delay(edition_id) for _ in range(batches)])
    if queued == 0:
        finish_edition_if_done(edition_id=edition_id)
    return queued


def _claim(edition_id: int, size: int) -> list[int]:
    """Lease up to `size` queued rows nobody holds, in one statement: UPDATE … WHERE id IN (SELECT … FOR UPDATE
    SKIP LOCKED) RETURNING id. Concurrent workers never claim the same row; a dead worker's lease runs out."""
    now = timezone.now()
    free = (
        Delivery.objects.select_for_update(skip_locked=True)
        .filter(edition_id=edition_id, status=Delivery.Status.QUEUED)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("id")
        .values("id")[:size]
    )
    lease_until = now + datetime.timedelta(seconds=app_settings.SEND_LEASE_SECONDS)
    with transaction.atomic(), connection.cursor() as cursor:
        select_sql, select_params = free.query.sql_with_params()  # FOR UPDATE compiles only inside a transaction
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} SET lease_until = %s, attempts = attempts + 1 "  # noqa: S608
            f"WHERE id IN (SELECT id FROM ({select_sql}) AS free) RETURNING id",
            [lease_until, *select_params],
        )
        return sorted(row[0] for row in cursor.fetchall())


def send_batch(*, edition_id: int, size: int | None = None) -> BatchResult:
    """Claim up to `size` queued deliveries, re-check each against the selector, send the eligible ones."""
    result = BatchResult()
    edition = Edition.objects.select_related("topic").filter(pk=edition_id).first()
    if edition is None or edition.status != Edition.Status.SENDING:
        return result
    ids = _claim(edition_id, size or app_settings.SEND_BATCH_SIZE)
    result.claimed = len(ids)
    if not ids:
        finish_edition_if_done(edition_id=edition_id)
        return result
    rows = list(
        Delivery.objects.filter(id__any_of=ids)
        .select_related("subscriber")
        .only("id", "attempts", "subscription_id", "subscriber__id", "subscriber__email", "subscriber__secret_key")
        .annotate(
            # Open beacons only for account holders who allowed analytics (cookie settings); never for guests.
            open_tracking=Exists(
                PrivacySettings.objects.filter(user_id=OuterRef("subscriber__user_id"), analytics_cookies=True)
            ),
        )
        .order_by("id")
    )
    # The send-time re-check: the same selector, narrowed to this batch's subscriptions (keyed lookups rather
    # than the whole audience for every batch). An unsubscribe committed after planning skips the row.
    eligible = set(
        eligible_subscriptions(edition.topic_id, frequencies=edition.frequencies, on=slot_day(edition))
        .filter(pk__any_of=[row.subscription_id for row in rows])
        .values_list("pk", flat=True)
    )
    for row in rows:
        row.eligible = row.subscription_id in eligible
    skipped = [row.id for row in rows if not row.eligible]
    if skipped:
        Delivery.objects.filter(id__any_of=skipped).update(
            status=Delivery.Status.SKIPPED, lease_until=None, error="not eligible at send time"
        )
        result.skipped = len(skipped)
    rendered = rendered_for(edition)
    to_send = [row for row in rows if row.eligible]
    with get_connection() as mail:
        for start in range(0, len(to_send), app_settings.SEND_CHUNK):
            chunk = to_send[start : start + app_settings.SEND_CHUNK]
            sent, failed = _send_chunk(mail, rendered, chunk)
            result.sent += sent
            result.failed += failed
    finish_edition_if_done(edition_id=edition_id)
    return result


def _send_chunk(mail, rendered: RenderedEdition, chunk: list[Delivery]) -> tuple[int, int]:
    messages = [
        personalise(rendered, row.subscriber, delivery_id=row.id, open_tracking=row.open_tracking) for row in chunk
    ]
    now = timezone.now()
    try:
        mail.send_messages(messages)
    except Exception as error:  # one bad address must not stop the edition
        return _send_one_by_one(mail, rendered, chunk, now, error)
    esp_ids = [_esp_id(message) for message in messages]
    if any(esp_ids):
        for row, esp_id in zip(chunk, esp_ids, strict=True):
            row.status, row.sent_at, row.lease_until, row.esp_message_id = Delivery.Status.SENT, now, None, esp_id
        Delivery.objects.bulk_update(chunk, ["status", "sent_at", "lease_until", "esp_message_id"])
    else:
        Delivery.objects.filter(id__any_of=[row.id for row in chunk]).update(
            status=Delivery.Status.SENT, sent_at=now, lease_until=None
        )
    return len(chunk), 0


def _send_one_by_one(mail, rendered, chunk, now, first_error) -> tuple[int, int]:
    sent = failed = 0
    for row in chunk:
        message = personalise(rendered, row.subscriber, delivery_id=row.id, open_tracking=row.open_tracking)
        try:
            mail.send_messages([message])
        except Exception as error:
            final = row.attempts >= app_settings.SEND_MAX_ATTEMPTS
            Delivery.objects.filter(pk=row.pk).update(
                status=Delivery.Status.FAILED if final else Delivery.Status.QUEUED,
                error=type(error).__name__[:200],
                lease_until=None if final else F("lease_until"),
            )
            failed += 1
            continue
        Delivery.objects.filter(pk=row.pk).update(
            status=Delivery.Status.SENT, sent_at=now, lease_until=None, esp_message_id=_esp_id(message)
        )
        sent += 1
    return sent, failed


def _esp_id(message: AnymailMessage) -> str:
    status = getattr(message, "anymail_status", None)
    return (status.message_id or "") if status is not None and isinstance(status.message_id, str) else ""


def finish_edition_if_done(*, edition_id: int) -> bool:
    """Mark a sending edition sent once no delivery is left queued (one statement)."""
    queued = Delivery.objects.filter(edition_id=OuterRef("pk"), status=Delivery.Status.QUEUED)
    return bool(
        Edition.objects.filter(pk=edition_id, status=Edition.Status.SENDING)
        .filter(~Exists(queued))
        .update(status=Edition.Status.SENT, sent_at=timezone.now())
    )


def resume_stalled_editions() -> int:
    """Re-enqueue batches for deliveries whose lease ran out (a worker died) or that no batch ever claimed."""
    from .tasks import send_edition_batch

    now = timezone.now()
    grace = now - datetime.timedelta(seconds=app_settings.SEND_LEASE_SECONDS)
    enqueued = 0
    for edition_id in Edition.objects.filter(status=Edition.Status.SENDING).values_list("id", flat=True):
        stalled = Delivery.objects.filter(edition_id=edition_id, status=Delivery.Status.QUEUED).filter(
            Q(lease_until__lt=now) | Q(lease_until__isnull=True, edition__planned_at__lt=grace)
        )
        count = stalled.count()
        if count == 0:
            finish_edition_if_done(edition_id=edition_id)
            continue
        for _ in range(math.ceil(count / app_settings.SEND_BATCH_SIZE)):
            send_edition_batch.delay(edition_id)
            enqueued += 1
    return enqueued


def attach_alerts(*, slot_at: datetime.datetime) -> Edition | None:
    """Put queued alert items into the alerts topic's edition for this slot, creating a digest if staff wrote none."""
    with transaction.atomic():
        items = AlertItem.objects.select_for_update().filter(
            topic_slug=app_settings.ALERTS_TOPIC, sent_in_edition_id__isnull=True
        )
        if not items.exists():
            return None
        topic = Topic.objects.filter(slug=app_settings.ALERTS_TOPIC, is_active=True).first()
        if topic is None:
            return None
        edition = Edition.objects.filter(topic=topic, slot_at=slot_at, status=Edition.Status.SCHEDULED).first()
        if edition is None:
            edition = Edition.objects.create(
                topic=topic,
                subject=f"New at {app_settings.SITE_NAME}: brands and styles just in",
                preheader="The newest brands and product styles, in one email.",
                body_text=ALERT_DIGEST_TEXT,
                body_html=ALERT_DIGEST_HTML,
                slot_at=slot_at,
                status=Edition.Status.SCHEDULED,
                is_alert_digest=True,
            )
        items.update(sent_in_edition_id=edition.pk)
        return edition


ALERT_DIGEST_TEXT = """New since our last email:
{% for item in items %}
- {{ item.title }}: {{ item.link }}{% endfor %}
"""
ALERT_DIGEST_HTML = """<h1 style="font-size:20px;">New since our last email</h1>
<ul>{% for item in items %}<li><a href="{{ item.link }}" style="color:#0b5cad;">{{ item.title }}</a>
{% if item.image_url %}<br><img src="{{ item.image_url }}" alt="" width="160">{% endif %}</li>{% endfor %}</ul>
"""


def run_slot(*, slot_at: datetime.datetime) -> list[int]:
    """What beat runs at each slot: gather alerts, then plan every scheduled edition due by this slot."""
    attach_alerts(slot_at=slot_at)
    planned = []
    for edition_id in Edition.objects.filter(status=Edition.Status.SCHEDULED, slot_at__lte=slot_at).values_list(
        "id", flat=True
    ):
        plan_edition(edition_id=edition_id)
        planned.append(edition_id)
    return planned
