from django.core.management.base import BaseCommand, CommandError

from subscriptions import mailing, schedule


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
        self.stdout.write(f"Slot {slot_at:%a %Y-%m-%d %H:%M %Z}: planned {len(planned)} edition(s) {planned}")
