"""Load the demo shop's data. Idempotent: run it as often as you like.

Lives in the demo app, which sits above every domain app, so it may call each app's seed in demo/seeds/.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from demo.seeds import accounts as accounts_demo
from demo.seeds import privacy as privacy_demo
from demo.seeds import reviews as reviews_demo
from demo.seeds import shop as shop_demo
from demo.seeds import subscriptions as subscriptions_demo


class Command(BaseCommand):
    help = "Load demo data (staff user, shoppers, products, subscribers...)."

    def add_arguments(self, parser):
        parser.add_argument("--reset-staff-password", action="store_true")

    @transaction.atomic
    def handle(self, *args, reset_staff_password: bool = False, **options):
        lines = privacy_demo.seed_policy()
        lines += accounts_demo.seed()
        lines += subscriptions_demo.seed()
        lines += privacy_demo.seed()
        lines += shop_demo.seed()
        if reset_staff_password:
            lines.append(accounts_demo.reset_staff_password())
        lines += reviews_demo.seed()
        self.stdout.write("\n".join(lines))
        site = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {site}  (demo mailbox: {site}/demo/mailbox/)"))
