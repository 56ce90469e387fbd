"""Planning an edition (one set-based INSERT … SELECT), finishing it, sweeping stalled batches, slot runs."""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from ..app_settings import app_settings
from ..models import AlertItem, Delivery, Edition, EditionVersion, Topic
from ..schedule import due_frequencies, shop_zone, week_of
from ..selectors import eligible_subscriptions, emails_in_week
from . import templates


def slot_day(edition: Edition) -> datetime.date:
    return edition.slot_at.astimezone(shop_zone()).date()


def plan_edition(*, edition_id: int) -> int:
    """Plan one edition on its own (plan_editions); return how many emails it leads (queued)."""
    return plan_editions(edition_ids=[edition_id]).get(edition_id, 0)


def plan_editions(*, edition_ids: list[int], slot_at: datetime.datetime | None = None) -> dict[int, int]:
    """Write the editions' deliveries for everyone eligible in their slot, as ONE email per person; return, per
    edition, how many emails it leads (queued).

    1. one INSERT … SELECT per edition over eligible_subscriptions (idempotent: unique per edition and subscriber);
    2. the weekly cap: whoever already has SUBSCRIPTIONS_WEEKLY_CAP emails (queued or sent) in the slot's ISO week
       gets nothing more: their new rows are skipped ("weekly cap reached"), one UPDATE;
    3. combining: a person due for several of these editions gets one email, led by the first edition (topic order);
       the other rows point at it (carried_by) and go out as its sections, one UPDATE.
    Set-based throughout: no Python loop over subscribers. The batch tasks are enqueued after commit.
    """
    from ..tasks import send_edition_batch

    with transaction.atomic():
        if connection.vendor == "postgresql":  # one planner at a time: the cap counts what the others planned
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('subscriptions.plan'))")
        editions = [
            edition
            for edition in Edition.objects.select_for_update().filter(pk__in=edition_ids).order_by("pk")
            if edition.status in {Edition.Status.SCHEDULED, Edition.Status.SENDING}
        ]
        if not editions:
            return {}
        week = week_of(slot_at or max(edition.slot_at for edition in editions))
        if len(editions) > 1:  # the email's section order: the topics' order
            positions = dict(Topic.objects.filter(pk__in={e.topic_id for e in editions}).values_list("pk", "position"))
            editions.sort(key=lambda e: (positions.get(e.topic_id, 0), e.topic_id, e.pk))
        for edition in editions:
            _insert_deliveries(edition, week)
        if connection.vendor == "postgresql":
            # Fresh statistics for the rows just written (ANALYZE samples at most 30,000 rows, so its cost is bounded
            # by a fraction of a second whatever the audience). With the old ones (often: an empty table) the planner
            # joins the cap's per-subscriber counts by nested loop, re-running the aggregate for every row: 18.7 s
            # for 8,900 recipients, quadratic. Measured with benchmarks/mailing.py.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Delivery._meta.db_table}")
        ids = [edition.pk for edition in editions]
        apply_weekly_cap(edition_ids=ids, week=week)
        combine(edition_ids=ids)
        now = timezone.now()
        for edition in editions:
            edition.status = Edition.Status.SENDING
            edition.planned_at = edition.planned_at or now
            edition.save(update_fields=["status", "frequencies", "planned_at"])
        queued = dict(
            Delivery.objects.filter(edition_id__in=ids, status=Delivery.Status.QUEUED, carried_by__isnull=True)
            .values_list("edition_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        queued = {edition_id: queued.get(edition_id, 0) for edition_id in ids}
        batches = [(e, math.ceil(n / app_settings.SEND_BATCH_SIZE)) for e, n in queued.items()]
        transaction.on_commit(lambda: [send_edition_batch.delay(e) for e, n in batches for _ in range(n)])
    for edition_id in ids:
        if queued[edition_id] == 0:
            finish_edition_if_done(edition_id=edition_id)
    return queued


def _insert_deliveries(edition: Edition, week: datetime.date) -> None:
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
            f"esp_message_id, error, week) SELECT %s, audience.*, %s, 0, '', '', %s FROM ({select_sql}) AS audience "
            f"WHERE 1 = 1 ON CONFLICT (edition_id, subscriber_id) DO NOTHING",
            [edition.pk, Delivery.Status.QUEUED, week, *params],
        )


WEEKLY_CAP_REACHED = "weekly cap reached"


def _unplanned(edition_ids: list[int]) -> QuerySet[Delivery]:
    """Rows of these editions that no batch has touched and that are an email of their own so far."""
    return Delivery.objects.filter(
        edition_id__in=edition_ids,
        status=Delivery.Status.QUEUED,
        carried_by__isnull=True,
        attempts=0,
        lease_until__isnull=True,
    )


def apply_weekly_cap(*, edition_ids: list[int], week: datetime.date) -> int:
    """Skip these editions' untouched rows of everyone who already has the week's cap of emails from other
    editions (this planning adds at most one email per person: the editions combine). One UPDATE."""
    full = (
        emails_in_week(week)
        .exclude(edition_id__in=edition_ids)
        .values("subscriber_id")
        .annotate(n=Count("id"))
        .filter(n__gte=app_settings.WEEKLY_CAP)
        .values("subscriber_id")
    )
    return (
        _unplanned(edition_ids)
        .filter(subscriber_id__in=full)
        .update(status=Delivery.Status.SKIPPED, error=WEEKLY_CAP_REACHED)
    )


def combine(*, edition_ids: list[int]) -> int:
    """Make one email per person of these editions' untouched rows: the row of the first edition in `edition_ids`
    leads, the others become its sections (carried_by). One UPDATE with a correlated subquery (keyed by the unique
    edition + subscriber index); rerunning it changes nothing."""
    if len(edition_ids) < 2:
        return 0
    rank = Case(*[When(edition_id=e, then=Value(i)) for i, e in enumerate(edition_ids)], output_field=IntegerField())
    lead = (
        _unplanned(edition_ids)
        .filter(subscriber_id=OuterRef("subscriber_id"))
        .annotate(rank=rank)
        .order_by("rank", "id")
        .values("id")[:1]
    )
    return _unplanned(edition_ids).exclude(pk=Subquery(lead)).update(carried_by_id=Subquery(lead))


def detach_sections(*, lead_ids: list[int]) -> list[int]:
    """The queued sections of leads that will not go out (their edition was cancelled): they become emails of
    their own again, combined anew among themselves. Returns the editions that now lead emails (to enqueue)."""
    sections = Delivery.objects.filter(carried_by_id__in=lead_ids, status=Delivery.Status.QUEUED)
    edition_ids = sorted(set(sections.values_list("edition_id", flat=True)))
    if not edition_ids:
        return []
    sections.update(carried_by=None)
    editions = Edition.objects.filter(pk__in=edition_ids).select_related("topic")
    combine(edition_ids=[e.pk for e in sorted(editions, key=lambda e: (e.topic.position, e.topic_id, e.pk))])
    return edition_ids


def finish_edition_if_done(*, edition_id: int) -> bool:
    """Mark a sending edition sent once no delivery is left queued (one statement)."""
    queued = Delivery.objects.filter(edition_id=OuterRef("pk"), status=Delivery.Status.QUEUED)
    done = bool(
        Edition.objects.filter(pk=edition_id, status=Edition.Status.SENDING)
        .filter(~Exists(queued))
        .update(status=Edition.Status.SENT, sent_at=timezone.now())
    )
    if done:
        templates.forget_later(edition_id)  # the templates it stored at the ESP (Postmark, SES)
    return done


def resume_stalled_editions() -> int:
    """Re-enqueue batches for deliveries whose lease ran out (a worker died) or that no batch ever claimed."""
    from ..tasks import send_edition_batch

    now = timezone.now()
    grace = now - datetime.timedelta(seconds=app_settings.SEND_LEASE_SECONDS)
    enqueued = 0
    for edition_id in Edition.objects.filter(status=Edition.Status.SENDING).values_list("id", flat=True):
        # (Rows released after a failed try carry a lease in the future: they wait for it, then count as stalled.)
        stalled = Delivery.objects.filter(
            edition_id=edition_id, status=Delivery.Status.QUEUED, carried_by__isnull=True
        ).filter(Q(lease_until__lt=now) | Q(lease_until__isnull=True, edition__planned_at__lt=grace))
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
            with translation.override(settings.LANGUAGE_CODE):
                content = alert_digest_content()
            edition = Edition.objects.create(
                topic=topic, **content, slot_at=slot_at, status=Edition.Status.SCHEDULED, is_alert_digest=True
            )
            versions = []
            for language, _name in settings.LANGUAGES:
                if language != settings.LANGUAGE_CODE:
                    with translation.override(language):
                        versions.append(EditionVersion(edition=edition, language=language, **alert_digest_content()))
            EditionVersion.objects.bulk_create(versions)
        items.update(sent_in_edition_id=edition.pk)
        return edition


def alert_digest_content() -> dict[str, str]:
    """The digest's subject, preheader and bodies in the active language (a version per language)."""
    heading = gettext("New since our last email")
    return {
        "subject": gettext("New at %(shop)s: brands and styles just in") % {"shop": app_settings.SITE_NAME},
        "preheader": gettext("The newest brands and product styles, in one email."),
        "body_text": ALERT_DIGEST_TEXT.replace("New since our last email", heading),
        "body_html": ALERT_DIGEST_HTML.replace("New since our last email", escape(heading)),
    }


ALERT_DIGEST_TEXT = """New since our last email:
{% for item in items %}
- {{ item.title }}: {{ item.link }}{% endfor %}
"""
ALERT_DIGEST_HTML = """<h1 style="font-size:20px;">New since our last email</h1>
<ul>{% for item in items %}<li><a href="{{ item.link }}" style="color:#0b5cad;">{{ item.title }}</a>
{% if item.image_url %}<br><img src="{{ item.image_url }}" alt="" width="160">{% endif %}</li>{% endfor %}</ul>
"""


def run_slot(*, slot_at: datetime.datetime) -> list[int]:
    """What beat runs at each slot: gather alerts, then plan every scheduled edition due by this slot together,
    so a person due for several topics gets one email with a section per topic (and the weekly cap holds)."""
    attach_alerts(slot_at=slot_at)
    planned = list(
        Edition.objects.filter(status=Edition.Status.SCHEDULED, slot_at__lte=slot_at)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if planned:
        plan_editions(edition_ids=planned, slot_at=slot_at)
    return planned
