"""Load the demo shop's data. Idempotent: run it as often as you like.

Lives in the top app so it may call every app's demo.seed() (the dependency direction allows it).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

import reviews.demo
from accounts import demo as accounts_demo
from privacy import demo as privacy_demo
from shop import demo as shop_demo
from subscriptions import demo as subscriptions_demo


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
        lines += reviews.demo.seed()
        self.stdout.write("\n".join(lines))
        self.stdout.write(self.style.SUCCESS("Demo data ready: http://127.0.0.1:8000  (demo mailbox: /demo/mailbox/)"))
