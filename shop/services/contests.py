"""Contests: entries (which subscribe to nothing), the draw and the winners' emails."""

from __future__ import annotations

import random

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import emails
from ..models import Contest, ContestEntry


class ContestError(ValueError):
    pass


class AlreadyEntered(ContestError):
    """The address has entered this contest before. Views answer as for a new entry: the page must not tell
    whether an address entered."""


def enter_contest(*, contest: Contest, first_name: str, city: str, email: str, list_publicly: bool) -> ContestEntry:
    """Enter a contest. This subscribes to nothing and records no marketing consent."""
    if not contest.is_open():
        raise ContestError(_("This contest is not open for entries."))
    try:
        with transaction.atomic():
            return ContestEntry.objects.create(
                contest=contest, first_name=first_name, city=city, email=email, list_publicly=list_publicly
            )
    except IntegrityError:
        raise AlreadyEntered(_("This email address has already entered this contest.")) from None


def draw_winners(*, contest: Contest) -> list[ContestEntry]:
    """Draw the contest's winners at random, once, after it has ended; each winner is emailed after the commit
    (transactional mail: whatever their marketing choices). Nobody else is emailed."""
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.drawn_at is not None:
            raise ContestError(_("Winners were already drawn for this contest."))
        if locked.ends_at > timezone.now():
            raise ContestError(_("The contest has not ended yet."))
        entries = list(locked.entries.all())
        winners = random.SystemRandom().sample(entries, min(locked.winners_count, len(entries)))
        ContestEntry.objects.filter(pk__in=[w.pk for w in winners]).update(is_winner=True)
        locked.drawn_at = timezone.now()
        locked.save(update_fields=["drawn_at"])
        from ..tasks import send_contest_win

        for winner in winners:  # "we will email you only if you win": each winner, after the draw commits
            transaction.on_commit(lambda entry_id=winner.pk: send_contest_win.delay(entry_id), robust=True)
    contest.drawn_at = locked.drawn_at
    return winners


def notify_winner(*, entry_id: int) -> bool:
    """Send one winner their email, once (the row is locked while sending; a told winner is skipped)."""
    with transaction.atomic():
        entry = (
            ContestEntry.objects.select_for_update(of=("self",))
            .select_related("contest")
            .filter(pk=entry_id, is_winner=True, notified_at__isnull=True)
            .first()
        )
        if entry is None:
            return False
        emails.send_contest_win(entry)
        entry.notified_at = timezone.now()
        entry.save(update_fields=["notified_at"])
    return True
