"""Service announcements: rare, staff-only, transactional mail to every active account.

They are not marketing: they ignore marketing choices and suppression, and go only after a staff member confirms
the exact audience on a confirmation page. One row per account makes a re-run or a crashed worker harmless.
"""

from __future__ import annotations

import math

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import AnnouncementDelivery, MessageKind, ServiceAnnouncement
from .services import send_transactional

BATCH = 200


def audience():
    """Every active account. (Deactivated or erased accounts get nothing.)"""
    return get_user_model().objects.filter(is_active=True)


@transaction.atomic
def confirm_announcement(*, announcement_id: int, staff: AbstractBaseUser) -> int:
    """The explicit confirmation: write one delivery row per active account and start sending after commit."""
    from .tasks import send_announcement_batch

    announcement = ServiceAnnouncement.objects.select_for_update().get(pk=announcement_id)
    if announcement.status != ServiceAnnouncement.Status.DRAFT:
        return 0
    announcement.status = ServiceAnnouncement.Status.SENDING
    announcement.confirmed_by = staff
    announcement.confirmed_at = timezone.now()
    announcement.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    users = list(audience().values_list("pk", flat=True))
    AnnouncementDelivery.objects.bulk_create(
        [AnnouncementDelivery(announcement=announcement, user_id=pk) for pk in users],
        ignore_conflicts=True,
        batch_size=1000,
    )
    batches = max(1, math.ceil(len(users) / BATCH))
    transaction.on_commit(lambda: [send_announcement_batch.delay(announcement_id) for _ in range(batches)])
    return len(users)


def send_announcement_batch(*, announcement_id: int) -> int:
    """Send up to BATCH unsent rows, one commit per message (a crash resends at most the one in flight)."""
    announcement = ServiceAnnouncement.objects.get(pk=announcement_id)
    sent = 0
    for _ in range(BATCH):
        with transaction.atomic():
            row = (
                AnnouncementDelivery.objects.select_for_update(skip_locked=True)
                .select_related("user")
                .filter(announcement_id=announcement_id, sent_at__isnull=True)
                .order_by("id")
                .first()
            )
            if row is None:
                break
            if row.user.is_active:
                send_transactional(
                    to=row.user.email,
                    template="email/subscriptions/announcement",
                    context={"announcement": announcement, "user": row.user},
                    kind=MessageKind.SERVICE,
                    object_id=f"announcement:{announcement_id}",
                    language=getattr(row.user, "language", ""),  # the host's user model may have one
                )
                sent += 1
            row.sent_at = timezone.now()
            row.save(update_fields=["sent_at"])
    if not AnnouncementDelivery.objects.filter(announcement_id=announcement_id, sent_at__isnull=True).exists():
        ServiceAnnouncement.objects.filter(pk=announcement_id, status=ServiceAnnouncement.Status.SENDING).update(
            status=ServiceAnnouncement.Status.SENT
        )
    return sent
