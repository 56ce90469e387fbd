"""This app's periodic tasks, as Celery beat entries (config/celery.py adds them to the beat schedule)."""

import datetime


def beat_schedule() -> dict[str, dict]:
    return {
        "outbox: publish task calls left behind by a broker outage": {
            "task": "outbox.tasks.relay_outbox",
            "schedule": datetime.timedelta(minutes=1),
        },
    }
