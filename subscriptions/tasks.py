import logging
from dataclasses import asdict

from anymail.exceptions import AnymailAPIError
from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import announcements, emails, mailing, schedule, services
from .app_settings import app_settings
from .models import Subscriber

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError, AnymailAPIError), retry_backoff=True, max_retries=5)
def send_subscribe_confirmation(subscriber_id: int) -> bool:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not subscriber.subscriptions.filter(state="pending").exists():
        return False
    emails.send_subscribe_confirmation(subscriber)
    return True


@shared_task(acks_late=True)
def run_mailing_slot(slot: str | None = None) -> list[int]:
    """Beat runs this at each slot in MAILING_SLOTS: plan every edition due by the slot's latest occurrence.

    A slot no longer in MAILING_SLOTS (a periodic task left behind in the database scheduler) plans nothing.
    """
    wanted = schedule.Slot.parse(slot) if slot else None
    if wanted is not None and wanted not in schedule.configured_slots():
        logger.warning("Mailing slot %s is not in MAILING_SLOTS any more: nothing planned.", wanted)
        return []
    slot_at = schedule.latest_slot(slot=wanted)
    return mailing.run_slot(slot_at=slot_at)


@shared_task(bind=True, acks_late=True, max_retries=20)
def send_edition_batch(self, edition_id: int) -> dict:
    """One batch of an edition. If the database goes away mid-batch (a restart, a failover), the batch retries
    itself once the leases it took have run out, so the edition resumes with nobody skipped and nobody twice.
    A full batch enqueues the next: there may be more than the planner foresaw."""
    try:
        result = mailing.send_batch(edition_id=edition_id)
    except (OperationalError, InterfaceError) as error:
        raise self.retry(exc=error, countdown=app_settings.SEND_LEASE_SECONDS + 1) from None
    if result.claimed >= app_settings.SEND_BATCH_SIZE and not result.released:
        send_edition_batch.delay(edition_id)
    return asdict(result)


@shared_task
def resume_stalled_editions() -> int:
    return mailing.resume_stalled_editions()


@shared_task
def purge_unconfirmed_subscribers() -> int:
    """Nightly (beat): delete guest subscriptions left unconfirmed for SUBSCRIPTIONS_UNCONFIRMED_DAYS."""
    return services.purge_unconfirmed_subscribers()


@shared_task(acks_late=True)
def send_announcement_batch(announcement_id: int) -> int:
    return announcements.send_announcement_batch(announcement_id=announcement_id)


@shared_task(ignore_result=True)
def delete_edition_templates(edition_id: int) -> int:
    """Delete the templates an edition stored at the ESP (Postmark, SES) once it is sent or cancelled. A failure
    is only logged: a template left behind costs nothing but room (Postmark limits templates per server)."""
    try:
        return mailing.templates.forget(edition_id)
    except Exception:
        logger.warning("Edition %s: its templates at the ESP were not all deleted.", edition_id, exc_info=True)
        return 0
