"""This app's periodic tasks, as Celery beat entries (config/celery.py adds them to the beat schedule)."""

from celery.schedules import crontab


def beat_schedule() -> dict[str, dict]:
    return {
        "reviews: delete reviews left unconfirmed for 30 days": {
            "task": "reviews.tasks.purge_unconfirmed_reviews",
            "schedule": crontab(hour=3, minute=40),
        },
    }
