from __future__ import annotations

from anymail.exceptions import AnymailAPIError
from celery import shared_task

from . import services
from .app_settings import app_settings


@shared_task(autoretry_for=(OSError, AnymailAPIError), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_review_confirmation(review_id: int) -> bool:
    """Email one unconfirmed review's author the confirmation link. Skipped once confirmed or purged."""
    return services.deliver_confirmation(review_id=review_id)


@shared_task
def purge_unconfirmed_reviews() -> int:
    """Nightly (reviews/schedule.py): reviews whose author never confirmed the address within 30 days go."""
    return services.purge_unconfirmed(older_than_days=app_settings.UNCONFIRMED_DAYS)
