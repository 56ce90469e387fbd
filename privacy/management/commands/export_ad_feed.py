"""Write the ad-partner feed (keyed email hashes of everyone who may be shared) and log each person's Disclosure."""

import sys

from django.core.management.base import BaseCommand

from privacy import services


class Command(BaseCommand):
    help = "Export the ad-partner feed as CSV (stdout or --output FILE); each run is logged as Disclosures."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: standard output)")

    def handle(self, *args, output: str | None = None, **options):
        if output:
            with open(output, "w", newline="", encoding="utf-8") as out:
                count = services.export_ad_partner_feed(out=out)
            self.stderr.write(f"{count} people written to {output}")
        else:
            count = services.export_ad_partner_feed(out=sys.stdout)
            self.stderr.write(f"{count} people written")
