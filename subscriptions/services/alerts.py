"""The alerts topic's queue: items wait for the topic's next slot edition."""

from __future__ import annotations

from ..app_settings import app_settings
from ..models import AlertItem


def queue_alert(*, title: str, link: str, source: str, image_url: str = "", topic_slug: str = "") -> AlertItem:
    """Queue an item for the alerts topic's next slot edition (never an immediate send). Queuing twice is harmless."""
    item, _ = AlertItem.objects.get_or_create(
        topic_slug=topic_slug or app_settings.ALERTS_TOPIC,
        source=source,
        defaults={"title": title, "link": link, "image_url": image_url},
    )
    return item
