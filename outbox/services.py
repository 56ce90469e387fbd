"""Enqueue Celery tasks through the outbox, so a broker outage delays them instead of losing them."""

from __future__ import annotations

import datetime
import logging

from celery import Task, current_app
from django.db import transaction
from django.utils import timezone

from .app_settings import app_settings
from .models import OutboxTask

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args: int | str) -> OutboxTask | None:
    """Write the call now (inside the caller's transaction), publish it once that transaction commits.

    If the broker does not answer, the request goes on: the row stays unpublished and the relay publishes it later.
    Tasks sent this way must be idempotent: a publish whose acknowledgement was lost is published again.
    Without a broker (the demo, unit tests: tasks run eagerly) the task just runs after the commit.
    """
    if current_app.conf.task_always_eager:
        transaction.on_commit(lambda: task.delay(*args))
        return None
    row = OutboxTask.objects.create(task=task.name, args=list(args))
    transaction.on_commit(lambda: publish(row_id=row.pk), robust=True)
    return row


def publish(*, row_id: int) -> bool:
    """Publish one row unless already done; False when the broker refused it."""
    with transaction.atomic():
        row = OutboxTask.objects.select_for_update(skip_locked=True).filter(pk=row_id, published_at=None).first()
        if row is None:
            return False
        try:
            current_app.tasks[row.task].apply_async(args=row.args, retry=False)
        except Exception as exc:  # kombu's OperationalError, or any transport's own connection error
            OutboxTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
            logger.warning("Broker unavailable, task %s left in the outbox: %s", row.task, type(exc).__name__)
            return False
        OutboxTask.objects.filter(pk=row.pk).update(published_at=timezone.now(), attempts=row.attempts + 1)
        return True


def relay(*, limit: int = 1000) -> int:
    """Publish rows left unpublished for longer than OUTBOX_RELAY_AFTER_SECONDS; return how many went out."""
    cutoff = timezone.now() - datetime.timedelta(seconds=app_settings.RELAY_AFTER_SECONDS)
    ids = list(
        OutboxTask.objects.filter(published_at=None, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )
    published = 0
    for row_id in ids:
        if publish(row_id=row_id):
            published += 1
        else:
            break  # the broker is still down: try again at the next tick
    OutboxTask.objects.filter(
        published_at__lt=timezone.now() - datetime.timedelta(days=app_settings.KEEP_PUBLISHED_DAYS)
    ).delete()
    return published


def unpublished_count() -> int:
    return OutboxTask.objects.filter(published_at=None).count()
