"""Celery tasks: thin, idempotent wrappers over privacy services."""

from __future__ import annotations

import os
import tempfile

from celery import shared_task
from django.utils import timezone

from . import services
from .app_settings import app_settings


@shared_task
def build_ad_partner_feed() -> str:
    """Write today's feed file for the ad partner to collect. Re-running on the same day replaces the file
    (each run is logged as Disclosures, since each run hands the data over again)."""
    directory = app_settings.AD_FEED_DIR
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"ad-feed-{timezone.now():%Y-%m-%d}.csv"
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".ad-feed-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            services.export_ad_partner_feed(out=out, reference=f"ad-feed:{target.name}")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return str(target)


@shared_task
def purge_access_logs() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): delete AccessLog rows older than PRIVACY_ACCESS_LOG_RETENTION_DAYS."""
    return services.purge_access_logs()
