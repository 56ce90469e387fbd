"""subscriptions' consent codes in plain words, for privacy's consent history (privacy.wording asks through the
registry: subscriptions registers these in its AppConfig.ready)."""

from __future__ import annotations

import datetime

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .models import Frequency, SuppressionReason, Topic

# The values as words inside a sentence ("twice a week", not "Twice a week"): a language decides its own case
# (German nouns keep their capital: "einmal pro Woche").
IN_A_SENTENCE = {
    Frequency.TWICE_WEEKLY: pgettext_lazy("in a sentence", "twice a week"),
    Frequency.WEEKLY: pgettext_lazy("in a sentence", "once a week"),
    Frequency.MONTHLY: pgettext_lazy("in a sentence", "once a month"),
    Frequency.PAUSED: pgettext_lazy("in a sentence", "paused"),
    SuppressionReason.BOUNCE: pgettext_lazy("in a sentence", "hard bounce"),
    SuppressionReason.SOFT_BOUNCES: pgettext_lazy("in a sentence", "repeated soft bounces"),
    SuppressionReason.COMPLAINT: pgettext_lazy("in a sentence", "spam complaint"),
    SuppressionReason.ESP_UNSUBSCRIBE: pgettext_lazy("in a sentence", "unsubscribed at the email provider"),
    SuppressionReason.ERASURE: pgettext_lazy("in a sentence", "address of an erased account"),
    "resumed": pgettext_lazy("in a sentence", "resumed"),
}


def _value(value: str) -> str | None:
    kind, _sep, day = value.partition(":")
    if kind == "paused_until" and day:
        try:
            until = datetime.date.fromisoformat(day)
        except ValueError:
            return None
        return _("paused until %(date)s") % {"date": formats.date_format(until, "DATE_FORMAT")}
    label = IN_A_SENTENCE.get(value)
    return None if label is None else str(label)  # in the page's language (the labels are lazy)


def topic_words(pairs: list[tuple[str, str]]) -> list[tuple[str | None, str | None]]:
    """("newsletter", "twice_weekly") -> ("Topic: Newsletter and special offers", "twice a week"); one query."""
    rows = Topic.objects.filter(slug__in={slug for slug, _v in pairs}).prefetch_related("translations")
    topics = {topic.slug: topic for topic in rows}
    return [
        (
            _("Topic: %(name)s") % {"name": topics[slug].local_name if slug in topics else slug.replace("-", " ")},
            _value(value),
        )
        for slug, value in pairs
    ]


def marketing_words(pairs: list[tuple[str, str]]) -> list[tuple[str | None, str | None]]:
    """marketing:all: every topic at once (an unsubscribe from all, a pause, a suppression)."""
    return [(_("All marketing email") if detail == "all" else None, _value(value)) for detail, value in pairs]


def email_words(pairs: list[tuple[str, str]]) -> list[tuple[str | None, str | None]]:
    return [(_("Your email address"), None) for _pair in pairs]
