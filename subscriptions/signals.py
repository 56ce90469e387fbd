"""Wiring only: anymail's tracking webhooks into subscriptions.tracking, and MAILING_SLOTS into celery beat."""

from anymail.signals import tracking
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from . import schedule
from . import tracking as tracking_service


@receiver(tracking, dispatch_uid="subscriptions.tracking")
def on_tracking_event(sender, event, esp_name, **kwargs) -> None:
    tracking_service.handle_tracking_event(event)


def on_post_migrate(sender, **kwargs) -> None:
    schedule.sync_beat_schedule()


def connect(app_config) -> None:
    post_migrate.connect(on_post_migrate, sender=app_config, dispatch_uid="subscriptions.beat_schedule")
