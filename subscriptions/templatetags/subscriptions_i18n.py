"""Lists of topic names in the active language: quoted the language's way and joined with its "and" / "or"."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, pgettext

register = template.Library()


def _name(topic) -> str:
    """A Topic's name in the active language; or a rendered email's plain {"name": ...} (or a section's topic)."""
    if isinstance(topic, dict):
        return _name(topic["topic"]) if "topic" in topic else str(topic.get("name", ""))
    return topic.local_name


def _joined(topics, last: str) -> str:
    # Translators: a topic's name quoted in running text (French: « %(name)s », German: „%(name)s“).
    names = [gettext("“%(name)s”") % {"name": _name(topic)} for topic in topics]
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {last} {names[-1]}"


@register.filter
def topics_and(topics) -> str:
    """[a, b, c] -> “a”, “b” and “c” (topics or dicts with a "name")."""
    return _joined(topics, pgettext("a list's last joint", "and"))


@register.filter
def topics_or(topics) -> str:
    """[a, b, c] -> “a”, “b” or “c”."""
    return _joined(topics, pgettext("a list's last joint", "or"))


@register.filter
def quoted(name) -> str:
    """One topic's name quoted the language's way."""
    return gettext("“%(name)s”") % {"name": name}
