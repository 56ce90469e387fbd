from __future__ import annotations

from anymail.exceptions import AnymailAPIError
from celery import shared_task

from . import services


@shared_task(autoretry_for=(OSError, AnymailAPIError), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_order_email(outbox_id: int) -> bool:
    """Send one order email outbox row (confirmation or shipping notice). Idempotent: a sent row is skipped."""
    return services.deliver_order_email(outbox_id=outbox_id).sent


@shared_task
def resend_unsent_order_emails() -> int:
    """Beat: re-enqueue outbox rows still unsent after the re-send delay (Redis was down, a worker died)."""
    ids = services.unsent_order_email_ids()
    for outbox_id in ids:
        send_order_email.delay(outbox_id)
    return len(ids)


@shared_task(autoretry_for=(OSError, AnymailAPIError), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_support_reply(reply_id: int) -> bool:
    return services.deliver_support_reply(reply_id=reply_id)


@shared_task(autoretry_for=(OSError, AnymailAPIError), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_contest_win(entry_id: int) -> bool:
    """Tell one winner. Idempotent: a winner already told is skipped."""
    return services.notify_winner(entry_id=entry_id)
