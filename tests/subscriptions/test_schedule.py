import datetime
from zoneinfo import ZoneInfo

import pytest

from subscriptions.schedule import InvalidSlot, Slot, beat_schedule, due_frequencies, latest_slot, upcoming_slots

PARIS = ZoneInfo("Europe/Paris")


def at(day: str, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("slot_at", "due"),
    [
        (at("2026-12-01"), ["twice_weekly", "weekly", "monthly"]),  # first Tuesday of December
        (at("2026-12-04"), ["twice_weekly"]),  # its Friday
        (at("2026-12-08"), ["twice_weekly", "weekly"]),  # next Tuesday
        (at("2026-12-11"), ["twice_weekly"]),
        (at("2027-01-01"), ["twice_weekly", "monthly"]),  # a Friday, the first slot of January, not of its week
        (at("2027-01-05"), ["twice_weekly", "weekly"]),
    ],
)
def test_which_frequencies_are_due_in_a_slot(settings, slot_at, due):
    settings.SUBSCRIPTIONS_MAILING_SLOTS = "tue@09:00,fri@09:00"
    settings.SUBSCRIPTIONS_TIME_ZONE = "Europe/Paris"
    assert due_frequencies(slot_at) == due


def test_twice_weekly_gets_two_weekly_one_and_monthly_one_in_a_month(settings):
    settings.SUBSCRIPTIONS_MAILING_SLOTS = "tue@09:00,fri@09:00"
    settings.SUBSCRIPTIONS_TIME_ZONE = "Europe/Paris"
    slots = upcoming_slots(9, now=at("2026-11-30", 0))  # the whole of December 2026
    december = [s for s in slots if s.month == 12]
    counts = {f: sum(f in due_frequencies(s) for s in december) for f in ["twice_weekly", "weekly", "monthly"]}
    assert counts == {"twice_weekly": 9, "weekly": 5, "monthly": 1}


@pytest.mark.parametrize("bad", ["", "tuesday@9", "tue@25:00", "tue 09:00", "xyz@09:00"])
def test_bad_slots_are_refused(bad):
    with pytest.raises(InvalidSlot):
        Slot.parse(bad)


def test_latest_slot_is_the_last_occurrence_not_after_now(settings):
    settings.SUBSCRIPTIONS_TIME_ZONE = "Europe/Paris"
    settings.SUBSCRIPTIONS_MAILING_SLOTS = "tue@09:00,fri@09:00"
    assert latest_slot(at("2026-12-03", 12)) == at("2026-12-01")
    assert latest_slot(at("2026-12-04", 9)) == at("2026-12-04")
    assert latest_slot(at("2026-12-03", 12), slot=Slot.parse("fri@09:00")) == at("2026-11-27")


@pytest.mark.django_db
def test_beat_runs_each_configured_slot_in_the_shop_time_zone(settings):
    """Beat with django-celery-beat's DatabaseScheduler copies every app's entries into "Periodic tasks"."""
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from config.celery import app

    settings.SUBSCRIPTIONS_MAILING_SLOTS = "mon@08:30,thu@18:00"
    entries = beat_schedule()
    assert {name for name, e in entries.items() if e["task"] == "subscriptions.tasks.run_mailing_slot"} == {
        "Mailing slot mon@08:30",
        "Mailing slot thu@18:00",
    }
    PeriodicTask.objects.all().delete()
    # What DatabaseScheduler.update_from_dict does for each entry when beat starts (without closing the connection).
    other_apps = {name: e for name, e in app.conf.beat_schedule.items() if not name.startswith("Mailing slot")}
    for name, fields in {**other_apps, **entries}.items():
        ModelEntry.from_entry(name, app=app, **fields)
    tasks = {t.name: t for t in PeriodicTask.objects.filter(task="subscriptions.tasks.run_mailing_slot")}
    assert set(tasks) == {"Mailing slot mon@08:30", "Mailing slot thu@18:00"}
    monday = tasks["Mailing slot mon@08:30"].crontab
    assert (monday.minute, monday.hour, monday.day_of_week, str(monday.timezone)) == ("30", "8", "1", "Europe/Paris")
    assert PeriodicTask.objects.get(name="Mailing slot thu@18:00").kwargs == '{"slot": "thu@18:00"}'
    for task in ("subscriptions.tasks.resume_stalled_editions", "shop.tasks.resend_unsent_order_emails"):
        assert PeriodicTask.objects.filter(task=task, enabled=True).exists()
    assert PeriodicTask.objects.filter(task="privacy.tasks.purge_access_logs").exists()
