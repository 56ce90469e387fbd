from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import formats, timezone

from subscriptions import mailing, schedule
from subscriptions.models import Delivery, Edition


class Command(BaseCommand):
    help = "Run a mailing slot now: plan every scheduled edition due by it and start sending."

    def add_arguments(self, parser):
        parser.add_argument("--slot", help='A slot like "tue@09:00" (default: the latest configured slot).')

    def handle(self, *args, slot: str | None = None, **options):
        try:
            parsed = schedule.Slot.parse(slot) if slot else None
        except schedule.InvalidSlot as error:
            raise CommandError(str(error)) from error
        slot_at = schedule.latest_slot(slot=parsed)
        planned = mailing.run_slot(slot_at=slot_at)
        when = formats.date_format(timezone.localtime(slot_at, schedule.shop_zone()), "DATETIME_FORMAT")
        self.stdout.write(f"Slot {when} ({schedule.shop_zone().key}): planned {len(planned)} edition(s) {planned}")
        if not planned:
            self.stdout.write("  Nothing was scheduled for this slot: schedule an edition in Admin > Editions.")
        for line in summary_lines(planned):
            self.stdout.write(line)


def summary_lines(edition_ids: list[int]) -> list[str]:
    """One line per edition: its subject, topic and where its deliveries stand, in words."""
    counts: dict[int, dict[str, int]] = {}
    for edition_id, status, n in (
        Delivery.objects.filter(edition_id__in=edition_ids).values_list("edition_id", "status").annotate(n=Count("id"))
    ):
        counts.setdefault(edition_id, {})[status] = n
    lines = []
    for edition in Edition.objects.filter(pk__in=edition_ids).select_related("topic").order_by("pk"):
        mine = counts.get(edition.pk, {})
        parts = [f"{mine.get(status, 0)} {label.lower()}" for status, label in Delivery.Status.choices]
        lines.append(f'  #{edition.pk} "{edition.subject}" ({edition.topic.name}): {", ".join(parts)}')
    if lines:
        lines.append("  Queued emails go out through the Celery worker; Admin > Editions shows each one's progress.")
    return lines
