"""Planning an edition (one set-based INSERT … SELECT), finishing it, sweeping stalled batches, slot runs."""

from __future__ import annotations

import datetime
import math

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ..app_settings import app_settings
from ..models import AlertItem, Delivery, Edition, Topic
from ..schedule import due_frequencies, shop_zone
from ..selectors import eligible_subscriptions


def slot_day(edition: Edition) -> datetime.date:
    return edition.slot_at.astimezone(shop_zone()).date()


def plan_edition(*, edition_id: int) -> int:
    """Write the edition's deliveries for everyone eligible in its slot; return how many are queued.

    Set-based and idempotent: running it twice adds nothing. The batch tasks are enqueued after commit.
    """
    from ..tasks import send_edition_batch

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
    from ..tasks import send_edition_batch

    now = timezone.now()
    grace = now - datetime.timedelta(seconds=app_settings.SEND_LEASE_SECONDS)
    enqueued = 0
    for edition_id in Edition.objects.filter(status=Edition.Status.SENDING).values_list("id", flat=True):
        # (Rows released after a failed try carry a lease in the future: they wait for it, then count as stalled.)
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
