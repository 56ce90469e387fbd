"""This app's periodic tasks, as Celery beat entries the host project adds to its beat schedule."""

from celery.schedules import crontab


def beat_schedule() -> dict[str, dict]:
    return {
        "privacy-purge-access-logs": {
            "task": "privacy.tasks.purge_access_logs",
            "schedule": crontab(hour=3, minute=17),
        },
        "privacy-purge-expired-exports": {
            "task": "privacy.tasks.purge_expired_exports",
            "schedule": crontab(hour=3, minute=27),
        },
        "privacy-purge-guest-links": {
            "task": "privacy.tasks.purge_guest_links",
            "schedule": crontab(hour=3, minute=37),
        },
        "privacy-weekly-audit": {
            "task": "privacy.tasks.send_privacy_audit",
            "schedule": crontab(day_of_week="mon", hour=7, minute=0),
        },
    }
