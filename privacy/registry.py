"""Hooks the apps above privacy fill in their AppConfig.ready(), so privacy never imports them.

- register_data_section(key, title, fn): a "what we hold about you" section on the privacy dashboard;
  fn(user) returns a list of dicts (label -> value), one per item.
- register_ad_feed_exclusion(fn): fn() returns a Q on the user model for accounts that must never be in the
  ad-partner feed (accounts registers minors, for instance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class DataSection:
    key: str
    title: str
    fn: Callable[[Any], list[dict]]


_data_sections: dict[str, DataSection] = {}
_ad_feed_exclusions: list[Callable[[], Q]] = []


def register_data_section(key: str, title: str, fn: Callable[[Any], list[dict]]) -> None:
    """Add (or replace, by key) a section; registering twice under one key is idempotent."""
    _data_sections[key] = DataSection(key=key, title=title, fn=fn)


def data_sections() -> list[DataSection]:
    return list(_data_sections.values())


def unregister_data_section(key: str) -> None:
    _data_sections.pop(key, None)


def register_ad_feed_exclusion(fn: Callable[[], Q]) -> None:
    if fn not in _ad_feed_exclusions:
        _ad_feed_exclusions.append(fn)


def ad_feed_exclusions() -> list[Callable[[], Q]]:
    return list(_ad_feed_exclusions)


@dataclass(frozen=True)
class AdFeedColumn:
    name: str
    data_category: str
    values: Callable[[list[int]], dict[int, str]]


_ad_feed_columns: dict[str, AdFeedColumn] = {}


def register_ad_feed_column(name: str, data_category: str, values: Callable[[list[int]], dict[int, str]]) -> None:
    """Add a coarse, non-identifying column to the ad-partner feed. `values(user_ids)` answers for a chunk of
    people at once (one query per chunk); `data_category` names what the partner receives, in every Disclosure."""
    _ad_feed_columns[name] = AdFeedColumn(name=name, data_category=data_category, values=values)


def ad_feed_columns() -> list[AdFeedColumn]:
    return list(_ad_feed_columns.values())
