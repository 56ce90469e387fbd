"""This app's periodic tasks, as Celery beat entries (config/celery.py adds them to the beat schedule)."""

import datetime


def beat_schedule() -> dict[str, dict]:
    return {
        "shop: re-send order emails unsent after 10 minutes": {
            "task": "shop.tasks.resend_unsent_order_emails",
            "schedule": datetime.timedelta(minutes=5),
        },
    }
