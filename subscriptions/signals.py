"""Wiring only: anymail's tracking webhooks into subscriptions.tracking."""

from anymail.signals import tracking
from django.dispatch import receiver

from . import tracking as tracking_service


@receiver(tracking, dispatch_uid="subscriptions.tracking")
def on_tracking_event(sender, event, esp_name, **kwargs) -> None:
    tracking_service.handle_tracking_event(event)
