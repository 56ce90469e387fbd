"""subscriptions' consent codes in plain words, for privacy's consent history (privacy.wording asks through the
registry: subscriptions registers these in its AppConfig.ready)."""

from __future__ import annotations

import datetime

from django.utils import formats

from .models import Frequency, SuppressionReason, Topic

_VALUES = {
    **{code: label.lower() for code, label in Frequency.choices},
    **{code: label.lower() for code, label in SuppressionReason.choices},
    "resumed": "resumed",
}


def _value(value: str) -> str | None:
    kind, _, day = value.partition(":")
    if kind == "paused_until" and day:
        try:
            until = datetime.date.fromisoformat(day)
        except ValueError:
            return None
        return f"paused until {formats.date_format(until, 'DATE_FORMAT')}"
    return _VALUES.get(value)


def topic_words(pairs: list[tuple[str, str]]) -> list[tuple[str | None, str | None]]:
    """("newsletter", "twice_weekly") -> ("Topic: Newsletter and special offers", "twice a week"); one query."""
    names = dict(Topic.objects.filter(slug__in={slug for slug, _ in pairs}).values_list("slug", "name"))
    return [(f"Topic: {names.get(slug, slug.replace('-', ' '))}", _value(value)) for slug, value in pairs]


def marketing_words(pairs: list[tuple[str, str]]) -> list[tuple[str | None, str | None]]:
    """marketing:all: every topic at once (an unsubscribe from all, a pause, a suppression)."""
    return [("All marketing email" if detail == "all" else None, _value(value)) for detail, value in pairs]


def email_words(pairs: list[tuple[str, str]]) -> list[tuple[str | None, str | None]]:
    return [("Your email address", None) for _ in pairs]
