"""Publishing brands and product styles, each queued once for the alerts topic."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from subscriptions.services import queue_alert

from ..models import Brand, ProductStyle


def publish_brand(*, brand: Brand) -> bool:
    """Publish a brand and queue it once for the "New brands and product styles" alert. False if already published."""
    return _publish(
        brand,
        Brand.objects.all(),
        lambda locked: {
            "title": f"New brand: {locked.name}",
            "link": f"{settings.SITE_URL}/shop/?brand={locked.slug}",
            "source": f"brand:{locked.pk}",
        },
    )


def publish_style(*, style: ProductStyle) -> bool:
    """Publish a product style and queue it once for the alerts topic. False if already published."""
    return _publish(
        style,
        ProductStyle.objects.select_related("product"),
        lambda locked: {
            "title": f"New style: {locked.product.name} in {locked.name}",
            "link": f"{settings.SITE_URL}{locked.product.get_absolute_url()}",
            "source": f"style:{locked.pk}",
        },
    )


def _publish(obj, queryset, alert) -> bool:
    """Publish under a row lock (two staff clicking at once publish once) and queue its alert in the same
    transaction, so an alert exists exactly when the thing is published."""
    with transaction.atomic():
        locked = queryset.select_for_update(of=("self",)).get(pk=obj.pk)
        if locked.is_published:
            return False
        locked.is_published = True
        locked.published_at = timezone.now()
        locked.save(update_fields=["is_published", "published_at"])
        queue_alert(**alert(locked))
    obj.is_published, obj.published_at = locked.is_published, locked.published_at
    return True
