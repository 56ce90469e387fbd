"""The Celery application: `celery -A config worker` and `celery -A config beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("shop_preference_center")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def add_periodic_tasks(sender: Celery, **kwargs) -> None:
    """The one place periodic tasks are registered: each app declares its own in `<app>/schedule.py`.

    With django-celery-beat's DatabaseScheduler, beat copies these into "Periodic tasks" each time it starts, so
    staff see them in the admin; nothing is written by migrations or signals (a flushed test database loses nothing).
    """
    from outbox.schedule import beat_schedule as outbox_schedule
    from privacy.schedule import beat_schedule as privacy_schedule
    from reviews.schedule import beat_schedule as reviews_schedule
    from shop.schedule import beat_schedule as shop_schedule
    from subscriptions.schedule import beat_schedule as subscriptions_schedule

    sender.conf.beat_schedule = {
        **sender.conf.beat_schedule,
        **outbox_schedule(),
        **privacy_schedule(),
        **subscriptions_schedule(),
        **shop_schedule(),
        **reviews_schedule(),
    }
