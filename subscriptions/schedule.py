"""Mailing slots: when editions go out, and which frequencies are due in a given slot.

SUBSCRIPTIONS_MAILING_SLOTS lists weekly slots in SUBSCRIPTIONS_TIME_ZONE, e.g. "tue@09:00,fri@09:00" (the default).
- twice a week: every slot;
- weekly: the first slot of each ISO week;
- monthly: the first slot of each calendar month;
- paused: none until the date (the eligibility selector handles pauses).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from celery.schedules import crontab
from django.utils import timezone

from .app_settings import app_settings

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SLOT = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)@([01]\d|2[0-3]):([0-5]\d)$")


class InvalidSlot(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Slot:
    weekday: int  # Monday is 0
    time: datetime.time

    @classmethod
    def parse(cls, value: str) -> Slot:
        match = SLOT.match(value.strip().lower())
        if not match:
            raise InvalidSlot(f"{value!r} is not a slot like 'tue@09:00'.")
        day, hour, minute = match.groups()
        return cls(DAYS.index(day), datetime.time(int(hour), int(minute)))

    def __str__(self) -> str:
        return f"{DAYS[self.weekday]}@{self.time:%H:%M}"

    def on_week_of(self, day: datetime.date) -> datetime.datetime:
        """This slot's moment in the ISO week containing `day`, in the shop's time zone."""
        date = day - datetime.timedelta(days=day.weekday()) + datetime.timedelta(days=self.weekday)
        return datetime.datetime.combine(date, self.time, tzinfo=shop_zone())


def shop_zone() -> ZoneInfo:
    return ZoneInfo(app_settings.TIME_ZONE)


def week_of(moment: datetime.datetime) -> datetime.date:
    """Monday of the ISO week containing `moment` on the shop's calendar: the week of the weekly cap."""
    day = moment.astimezone(shop_zone()).date()
    return day - datetime.timedelta(days=day.weekday())


def configured_slots() -> list[Slot]:
    raw = app_settings.MAILING_SLOTS
    slots = sorted({Slot.parse(part) for part in raw.split(",") if part.strip()})
    if not slots:
        raise InvalidSlot("SUBSCRIPTIONS_MAILING_SLOTS names no slot.")
    return slots


def due_frequencies(slot_at: datetime.datetime) -> list[str]:
    """The frequencies that get an email in the slot at `slot_at`."""
    from .models import Frequency  # imported here so that beat_schedule() works before the app registry is ready

    local = slot_at.astimezone(shop_zone())
    moments = [slot.on_week_of(local.date()) for slot in configured_slots()]
    due = [Frequency.TWICE_WEEKLY.value]
    if local == min(moments):
        due.append(Frequency.WEEKLY.value)
    if local == first_slot_of_month(local):
        due.append(Frequency.MONTHLY.value)
    return due


def first_slot_of_month(moment: datetime.datetime) -> datetime.datetime:
    first_day = moment.date().replace(day=1)
    candidates = [
        slot.on_week_of(first_day + datetime.timedelta(weeks=week)) for week in range(2) for slot in configured_slots()
    ]
    return min(c for c in candidates if c.date() >= first_day)


def latest_slot(now: datetime.datetime | None = None, slot: Slot | None = None) -> datetime.datetime:
    """The most recent occurrence (at or before now) of `slot`, or of any configured slot."""
    local = (now or timezone.now()).astimezone(shop_zone())
    slots = [slot] if slot else configured_slots()
    moments = [s.on_week_of(local.date() - datetime.timedelta(weeks=weeks)) for weeks in range(2) for s in slots]
    return max(m for m in moments if m <= local)


def upcoming_slots(count: int = 8, now: datetime.datetime | None = None) -> list[datetime.datetime]:
    local = (now or timezone.now()).astimezone(shop_zone())
    weeks = count // len(configured_slots()) + 2
    moments = sorted(
        s.on_week_of(local.date() + datetime.timedelta(weeks=w)) for w in range(weeks) for s in configured_slots()
    )
    return [m for m in moments if m > local][:count]


SLOT_TASK = "subscriptions.tasks.run_mailing_slot"
SWEEP_TASK = "subscriptions.tasks.resume_stalled_editions"


def beat_schedule() -> dict[str, dict]:
    """This app's periodic tasks as Celery beat entries: one per slot in MAILING_SLOTS, and the stalled-batch sweeper.

    The host project adds them to `app.conf.beat_schedule` (config/celery.py does). With django-celery-beat's
    DatabaseScheduler, beat copies them into "Periodic tasks" when it starts, under these names. A slot removed from
    MAILING_SLOTS may linger there; `run_mailing_slot` ignores a slot that is no longer configured.
    """
    entries = {
        f"Mailing slot {slot}": {
            "task": SLOT_TASK,
            "schedule": crontab(
                minute=str(slot.time.minute),
                hour=str(slot.time.hour),
                day_of_week=str((slot.weekday + 1) % 7),  # cron counts from Sunday
            ),
            "kwargs": {"slot": str(slot)},
        }
        for slot in configured_slots()
    }
    entries["Resume stalled mailings"] = {"task": SWEEP_TASK, "schedule": datetime.timedelta(minutes=1)}
    entries["Delete unconfirmed subscriptions"] = {
        "task": "subscriptions.tasks.purge_unconfirmed_subscribers",
        "schedule": crontab(hour=3, minute=47),
    }
    return entries
