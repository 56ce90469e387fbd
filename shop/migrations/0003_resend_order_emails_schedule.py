"""Formerly registered the re-send of unsent order emails with django_celery_beat.

Periodic tasks are now declared in one place (`shop/schedule.py`, added to the beat schedule by config/celery.py);
beat keeps the row of the same name up to date. Kept as a no-op so that migration history stays intact.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0002_orders_support_contests"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
