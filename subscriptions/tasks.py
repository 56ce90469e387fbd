from anymail.exceptions import AnymailAPIError
from celery import shared_task

from . import emails
from .models import Subscriber


@shared_task(autoretry_for=(OSError, AnymailAPIError), retry_backoff=True, max_retries=5)
def send_subscribe_confirmation(subscriber_id: int) -> bool:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not subscriber.subscriptions.filter(state="pending").exists():
        return False
    emails.send_subscribe_confirmation(subscriber)
    return True
