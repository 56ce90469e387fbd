from anymail.exceptions import AnymailAPIError
from celery import shared_task

from . import emails
from .models import User


@shared_task(autoretry_for=(OSError, AnymailAPIError), retry_backoff=True, max_retries=5)
def send_welcome_email(user_id: int) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    emails.send_welcome(user)
    return True
