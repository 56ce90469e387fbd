from celery import shared_task

from . import services


@shared_task
def relay_outbox() -> int:
    """Beat, every minute: publish the task calls a broker outage left in the outbox."""
    return services.relay()
