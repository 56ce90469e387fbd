"""Claiming a batch of deliveries (SKIP LOCKED and a lease), loading it with the send-time re-check, recording it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from privacy.models import PrivacySettings

from .. import lookups  # noqa: F401 (registers __any_of)
from ..app_settings import app_settings
from ..models import Delivery, Edition, Subscriber
from ..selectors import eligible_subscriptions
from .planning import slot_day


@dataclass(slots=True, eq=False)
class Recipient:
    """The subscriber fields a send reads (address, language, the key their links are bound to): plain values, not
    a model instance (building a thousand instances per batch cost more than the query)."""

    id: int
    email: str
    secret_key: str
    language: str

    @property
    def pk(self) -> int:
        return self.id


@dataclass(slots=True, eq=False)
class Claimed:
    """A claimed delivery row, as much of it as sending and recording read."""

    id: int
    attempts: int  # after this claim's
    subscription_id: int
    subscriber: Recipient | None  # None: the subscriber row is gone (never eligible)
    open_tracking: bool  # open beacons only for account holders who allowed analytics; never for guests
    carries: bool  # it carries queued sections (other editions of the slot in the same email)
    eligible: bool = True  # the send-time re-check's answer (check())

    @property
    def pk(self) -> int:
        return self.id


def claim(edition: Edition, size: int) -> list[Claimed]:
    """Lease up to `size` queued rows nobody holds and load them, in one statement: UPDATE … WHERE id IN
    (SELECT … FOR UPDATE SKIP LOCKED) RETURNING, joined to each row's subscriber. Concurrent workers never claim
    the same row; a dead worker's lease runs out. Then the send-time re-check (check()): eligible or not."""
    now = timezone.now()
    free = (
        Delivery.objects.select_for_update(skip_locked=True)
        .filter(edition_id=edition.pk, status=Delivery.Status.QUEUED, carried_by__isnull=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("id")
        .values("id")[:size]
    )
    lease_until = now + datetime.timedelta(seconds=app_settings.SEND_LEASE_SECONDS)
    deliveries, subscribers = Delivery._meta.db_table, Subscriber._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        select_sql, select_params = free.query.sql_with_params()  # FOR UPDATE compiles only inside a transaction
        if connection.vendor != "postgresql":  # the zero-setup demo's SQLite: no UPDATE in a CTE, no LATERAL
            return _claim_portably(cursor, select_sql, [lease_until, *select_params])
        # The row's own columns come from RETURNING (the claim's attempts); the subscriber's from a join. Index
        # lookups only, whatever the table's size: the ids as an array (an InitPlan), the subscriber and the
        # sections each a lateral LIMIT 1 (never a hash over every subscriber or every queued row).
        cursor.execute(
            f"WITH claimed AS (UPDATE {deliveries} SET lease_until = %s, attempts = attempts + 1 "  # noqa: S608
            f"WHERE id = ANY(ARRAY({select_sql})) RETURNING id, attempts, subscription_id, subscriber_id) "
            "SELECT c.id, c.attempts, c.subscription_id, s.id, s.email, s.secret_key, s.language, "
            f"EXISTS (SELECT 1 FROM {PrivacySettings._meta.db_table} p "
            "WHERE p.user_id = s.user_id AND p.analytics_cookies), k.carries IS NOT NULL "
            "FROM claimed c "
            f"LEFT JOIN LATERAL (SELECT * FROM {subscribers} s WHERE s.id = c.subscriber_id LIMIT 1) s ON true "
            "LEFT JOIN LATERAL (SELECT true AS carries "
            f"FROM {deliveries} d WHERE d.carried_by_id = c.id AND d.status = %s LIMIT 1) k ON true "
            "ORDER BY c.id",
            [lease_until, *select_params, Delivery.Status.QUEUED],
        )
        return _claimed_rows(cursor.fetchall())


def _claimed_rows(fetched: list[tuple]) -> list[Claimed]:
    return [
        Claimed(
            pk,
            attempts,
            subscription_id,
            Recipient(subscriber_id, email, secret_key, language or "") if subscriber_id is not None else None,
            bool(open_tracking),
            bool(carries),
        )
        for pk, attempts, subscription_id, subscriber_id, email, secret_key, language, open_tracking, carries in fetched
    ]


def _claim_portably(cursor, select_sql: str, params: list) -> list[Claimed]:
    """The same claim in two statements (the update, then the same columns read by id), for databases without
    PostgreSQL's data-modifying CTEs and lateral joins: the demo's SQLite, where one process sends."""
    deliveries, subscribers = Delivery._meta.db_table, Subscriber._meta.db_table
    cursor.execute(
        f"UPDATE {deliveries} SET lease_until = %s, attempts = attempts + 1 "  # noqa: S608
        f"WHERE id IN (SELECT id FROM ({select_sql}) AS free) RETURNING id",
        params,
    )
    ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    cursor.execute(
        "SELECT c.id, c.attempts, c.subscription_id, s.id, s.email, s.secret_key, s.language, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {PrivacySettings._meta.db_table} p "
        "WHERE p.user_id = s.user_id AND p.analytics_cookies), "
        f"EXISTS (SELECT 1 FROM {deliveries} d WHERE d.carried_by_id = c.id AND d.status = %s) "
        f"FROM {deliveries} c LEFT JOIN {subscribers} s ON s.id = c.subscriber_id "
        f"WHERE c.id IN ({', '.join(['%s'] * len(ids))}) ORDER BY c.id",
        [Delivery.Status.QUEUED, *ids],
    )
    return _claimed_rows(cursor.fetchall())


def check(edition: Edition, rows: list[Claimed]) -> tuple[list[Claimed], list[Claimed]]:
    """The claimed rows split into (eligible now, no longer eligible).

    The send-time re-check is the same selector, narrowed to this batch's subscriptions (keyed lookups rather
    than the whole audience for every batch): an unsubscribe committed after planning skips the row.
    """
    if not rows:
        return [], []
    known = [row for row in rows if row.subscriber is not None]
    eligible = _eligible(edition, [row.subscription_id for row in known], [row.subscriber.id for row in known])
    for row in rows:
        row.eligible = row.subscriber is not None and row.subscription_id in eligible
    return [r for r in rows if r.eligible], [r for r in rows if not r.eligible]


def _eligible(edition: Edition, subscription_ids: list[int], subscriber_ids: list[int]) -> set[int]:
    """Which of these subscriptions (of these subscribers) the selector finds eligible for the edition now."""
    eligible_now = eligible_subscriptions(edition.topic_id, frequencies=edition.frequencies, on=slot_day(edition))
    if connection.vendor == "postgresql":
        # The subscribers too, by id: else the planner joins the selector's subscriber conditions by hashing the
        # whole subscriber table (a scan per batch that grows with the list: 30 ms against 2 at 100,000
        # subscribers). Django would turn a `subscriber__id` filter into the subscription's own column, hence the
        # expression on the joined table (its name from the model; the ids are one array parameter).
        eligible_now = eligible_now.filter(
            RawSQL(  # noqa: S611
                f'"{Subscriber._meta.db_table}"."id" = ANY(%s)', [subscriber_ids], output_field=BooleanField()
            )
        )
    return set(eligible_now.filter(pk__any_of=subscription_ids).order_by().values_list("pk", flat=True))


def load_sections(leads: list[Claimed]) -> tuple[dict[int, list[Delivery]], list[Delivery], list[Delivery]]:
    """The queued sections each lead carries (other editions due in the same slot), re-checked like the leads.

    Returns ({lead id: its sections still to send, in the planner's order}, sections of an edition no longer sending
    (paused or cancelled by staff: left out of the email), sections no longer eligible). One query for the rows and
    one per section edition for the re-check (a slot has a handful of editions); none when no lead carries any."""
    leads = [lead for lead in leads if lead.carries]
    if not leads:
        return {}, [], []
    rows = list(
        Delivery.objects.filter(carried_by_id__in=[lead.id for lead in leads], status=Delivery.Status.QUEUED)
        .select_related("edition")
        .only(
            "id",
            "carried_by_id",
            "subscription_id",
            "subscriber_id",
            "edition_id",
            "edition__status",
            "edition__topic_id",
            "edition__frequencies",
            "edition__slot_at",
            "edition__planned_at",
        )
        .order_by("id")
    )
    held = [row for row in rows if row.edition.status != Edition.Status.SENDING]
    rows = [row for row in rows if row.edition.status == Edition.Status.SENDING]
    eligible: set[int] = set()
    for edition in {row.edition_id: row.edition for row in rows}.values():
        mine = [row for row in rows if row.edition_id == edition.pk]
        eligible |= _eligible(edition, [row.subscription_id for row in mine], [row.subscriber_id for row in mine])
    sections: dict[int, list[Delivery]] = {}
    for row in rows:
        if row.subscription_id in eligible:
            sections.setdefault(row.carried_by_id, []).append(row)
    return sections, held, [row for row in rows if row.subscription_id not in eligible]


def sections_of(leads: list[Claimed]) -> list[Delivery]:
    """The queued sections of these leads (to skip or fail with them)."""
    leads = [lead for lead in leads if lead.carries]
    if not leads:
        return []
    return list(
        Delivery.objects.filter(carried_by_id__in=[lead.id for lead in leads], status=Delivery.Status.QUEUED).only(
            "id", "edition_id"
        )
    )


def mark_skipped(rows: Iterable[Delivery], reason: str) -> int:
    ids = [row.id for row in rows]
    if ids:
        Delivery.objects.filter(id__any_of=ids).update(status=Delivery.Status.SKIPPED, lease_until=None, error=reason)
    return len(ids)


def mark_sent(sent: dict[int, str], *, now: datetime.datetime) -> None:
    """{delivery id: ESP message id}: one UPDATE. (A row cancelled while its chunk was with the ESP was sent: it
    says so.)"""
    if not sent:
        return
    rows = Delivery.objects.filter(id__any_of=list(sent))
    distinct = set(sent.values())
    if len(distinct) == 1:
        rows.update(
            status=Delivery.Status.SENT, sent_at=now, lease_until=None, esp_message_id=distinct.pop()[:200], error=""
        )
    elif connection.vendor == "postgresql":  # two arrays, one statement (a CASE of 1,000 Whens costs seconds)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Delivery._meta.db_table} AS d SET status = %s, sent_at = %s, lease_until = NULL, error = '', "  # noqa: S608
                "esp_message_id = v.esp_id FROM unnest(%s::bigint[], %s::text[]) AS v(id, esp_id) WHERE d.id = v.id",
                [Delivery.Status.SENT, now, list(sent), [v[:200] for v in sent.values()]],
            )
    else:
        esp_ids = Case(*[When(id=k, then=Value(v[:200])) for k, v in sent.items()], default=F("esp_message_id"))
        rows.update(status=Delivery.Status.SENT, sent_at=now, lease_until=None, esp_message_id=esp_ids, error="")


def mark_failed(failed: dict[int, str]) -> None:
    """{delivery id: reason}: the ESP refused these for good."""
    for reason in set(failed.values()):
        ids = [k for k, v in failed.items() if v == reason]
        Delivery.objects.filter(id__any_of=ids).update(status=Delivery.Status.FAILED, lease_until=None, error=reason)


def release(rows: list[Delivery], reason: str, *, not_before: datetime.datetime) -> tuple[int, int]:
    """Give back rows whose chunk could not be sent this time: they wait until `not_before`, then any batch may
    claim them again; a row already claimed SEND_MAX_ATTEMPTS times is failed with the reason. (failed, released)."""
    final = [row.id for row in rows if row.attempts >= app_settings.SEND_MAX_ATTEMPTS]
    again = [row.id for row in rows if row.attempts < app_settings.SEND_MAX_ATTEMPTS]
    if final:
        Delivery.objects.filter(id__any_of=final).update(
            status=Delivery.Status.FAILED,
            lease_until=None,
            error=f"gave up after {app_settings.SEND_MAX_ATTEMPTS} attempts: {reason}"[:200],
        )
    if again:
        Delivery.objects.filter(id__any_of=again).update(lease_until=not_before, error=reason[:200])
    return len(final), len(again)


def give_back(rows: list[Delivery]) -> None:
    """Hand claimed rows back untouched (the edition was paused or cancelled mid-batch): not counted as a try."""
    if rows:
        Delivery.objects.filter(id__any_of=[row.id for row in rows]).update(
            lease_until=None, attempts=F("attempts") - 1
        )
