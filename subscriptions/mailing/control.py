"""Staff control of an edition: schedule, send now, pause, resume, cancel (admin actions call these)."""

from __future__ import annotations

import datetime
import math
from copy import copy as shallow_copy

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..app_settings import app_settings
from ..models import Delivery, Edition
from ..schedule import due_frequencies, upcoming_slots
from . import templates
from .planning import detach_sections, plan_editions

SENDABLE_NOW = {Edition.Status.DRAFT, Edition.Status.SCHEDULED}


def as_sent_now(edition: Edition, now: datetime.datetime | None = None) -> Edition:
    """The edition as "Send now" would plan it (unsaved): its slot becomes now, and the frequencies due are those
    of the slot it was meant for (its chosen slot, else the next one), so a weekly reader still gets a weekly
    edition sent early. The confirmation page counts this edition's audience; send_now plans exactly this."""
    meant_for = edition.slot_at or upcoming_slots(1, now=now)[0]
    copy = shallow_copy(edition)
    copy.frequencies = edition.frequencies or due_frequencies(meant_for)
    copy.slot_at = now or timezone.now()
    return copy


def send_now(*, edition_id: int) -> int | None:
    """Plan a draft or scheduled edition at once and start sending (staff confirmed the count first). Returns how
    many emails it leads (queued), or None if the edition was no longer a draft or scheduled."""
    with transaction.atomic():
        edition = Edition.objects.select_for_update().filter(pk=edition_id).first()
        if edition is None or edition.status not in SENDABLE_NOW:
            return None
        edition = as_sent_now(edition)
        edition.status = Edition.Status.SCHEDULED
        edition.save(update_fields=["slot_at", "frequencies", "status"])
        return plan_editions(edition_ids=[edition.pk], slot_at=edition.slot_at).get(edition.pk, 0)


def schedule_editions(*, edition_ids: list[int]) -> int:
    """Drafts with a slot become scheduled (the slot's run plans them); anything else is left alone. One UPDATE;
    returns how many were scheduled."""
    return Edition.objects.filter(pk__in=edition_ids, status=Edition.Status.DRAFT, slot_at__isnull=False).update(
        status=Edition.Status.SCHEDULED
    )


def pause_edition(*, edition_id: int) -> bool:
    """Stop a sending edition: batches in flight finish the chunk they are on and hand the rest back."""
    return bool(
        Edition.objects.filter(pk=edition_id, status=Edition.Status.SENDING).update(status=Edition.Status.PAUSED)
    )


def resume_edition(*, edition_id: int) -> int:
    """Send a paused edition's remaining deliveries; returns how many batches were enqueued."""
    from ..tasks import send_edition_batch

    with transaction.atomic():
        if not Edition.objects.filter(pk=edition_id, status=Edition.Status.PAUSED).update(
            status=Edition.Status.SENDING
        ):
            return 0
        queued = Delivery.objects.filter(edition_id=edition_id, status=Delivery.Status.QUEUED).count()
        batches = max(1, math.ceil(queued / app_settings.SEND_BATCH_SIZE))
        transaction.on_commit(lambda: [send_edition_batch.delay(edition_id) for _ in range(batches)])
    return batches


def cancel_edition(*, edition_id: int) -> int | None:
    """Cancel an edition that has not finished: before sending it simply won't go; while sending or paused,
    every delivery not yet handed to the ESP is skipped ("cancelled by staff"). Returns how many were skipped,
    or None if the edition was already sent or cancelled."""
    from ..tasks import send_edition_batch

    with transaction.atomic():
        edition = Edition.objects.select_for_update().filter(pk=edition_id).first()
        active = {Edition.Status.DRAFT, Edition.Status.SCHEDULED, Edition.Status.SENDING, Edition.Status.PAUSED}
        if edition is None or edition.status not in active:
            return None
        edition.status = Edition.Status.CANCELLED
        edition.save(update_fields=["status"])
        templates.forget_later(edition_id)  # the templates it stored at the ESP, once the calls in flight are done
        # A batch holding claimed rows skips none it already sent; its remaining chunks see the edition cancelled
        # (and hand back the sections those emails carried). Emails no batch holds give theirs back now: the other
        # topics due in the slot still go, as emails of their own, combined anew.
        queued = Delivery.objects.filter(edition_id=edition_id, status=Delivery.Status.QUEUED)
        free = list(
            queued.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=timezone.now())).values_list("id", flat=True)
        )
        skipped = queued.update(status=Delivery.Status.SKIPPED, lease_until=None, error="cancelled by staff")
        others = detach_sections(lead_ids=free)
        transaction.on_commit(lambda: [send_edition_batch.delay(other) for other in others])
        return skipped
