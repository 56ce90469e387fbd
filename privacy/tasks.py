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


@shared_task
def build_data_export(export_id: int) -> str:
    """Build one "download my data" file (idempotent)."""
    from .data_rights import build_data_export as build

    export = build(export_id=export_id)
    return export.status if export is not None else "missing"


@shared_task
def purge_expired_exports() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): delete export files past PRIVACY_EXPORT_DAYS."""
    from .data_rights import purge_expired_exports as purge

    return purge()


@shared_task
def send_privacy_audit() -> int:
    """Weekly (CELERY_BEAT_SCHEDULE): run privacy_audit and email the report to the privacy officers."""
    from .data_rights import send_audit_report

    return send_audit_report()


@shared_task
def send_guest_link(link_id: int) -> str:
    """After a guest's request on /privacy/request/: send the link, the "use your account" note, or nothing."""
    from .data_rights.guests import send_guest_link as send

    return send(link_id=link_id)


@shared_task
def purge_guest_links() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): delete guest request links past their expiry."""
    from .data_rights.guests import purge_guest_links as purge

    return purge()
