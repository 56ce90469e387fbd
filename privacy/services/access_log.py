"""The access log: who opened which personal-data page, with redacted paths, truncated IPs and a retention purge."""

from __future__ import annotations

import datetime
import logging
import re
from typing import TYPE_CHECKING

from django.db import DatabaseError, transaction
from django.utils import timezone

from ..app_settings import app_settings
from ..models import AccessLog
from .ledger import truncate_ip

if TYPE_CHECKING:
    from django.http import HttpRequest


logger = logging.getLogger(__name__)


_TOKEN_SEGMENT = re.compile(r"^(?=.*[0-9:])[A-Za-z0-9_.:=-]{20,}$")


def redact_path(path: str) -> str:
    """The path as the AccessLog may keep it: the secret part of every known token URL (unsubscribe, preferences,
    email confirmation, password reset) becomes "<token>", and so does any other long token-like segment."""
    for pattern in app_settings.ACCESS_LOG_TOKEN_PATTERNS:
        path = re.sub(pattern, r"\1<token>", path)
    segments = ["<token>" if _TOKEN_SEGMENT.match(segment) else segment for segment in path.split("/")]
    return "/".join(segments)[:255]


def log_access(*, request: HttpRequest, status: int, user_id: int, event: str = AccessLog.Event.PAGE) -> AccessLog:
    """One INSERT: time, event, user, method, redacted path (never the query string), status, IP and agent."""
    ip = request.META.get("REMOTE_ADDR", "")
    # Page views keep only the network; sign-ins, signups and checkouts keep the full IP for 30 days
    # (order verification, account-takeover investigations), then the purge task erases it.
    keep_full_ip = event != AccessLog.Event.PAGE and truncate_ip(ip)
    request._access_logged = True  # one row per request: the middleware skips a request already logged
    return AccessLog.objects.create(
        event=event,
        ip=ip if keep_full_ip else None,
        user_id=user_id,
        method=request.method[:8] if request.method else "",
        path=redact_path(request.path),
        status=status,
        ip_prefix=truncate_ip(request.META.get("REMOTE_ADDR", "")),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
    )


def purge_access_logs(*, older_than_days: int | None = None, batch_size: int | None = None) -> int:
    """Erase full IPs after PRIVACY_ACCESS_LOG_IP_DAYS, delete rows past retention; in batches (short
    transactions, no long table lock). Returns how many rows were deleted."""
    days = app_settings.ACCESS_LOG_RETENTION_DAYS if older_than_days is None else older_than_days
    size = batch_size or app_settings.ACCESS_LOG_PURGE_BATCH
    ip_cutoff = timezone.now() - datetime.timedelta(days=app_settings.ACCESS_LOG_IP_DAYS)
    while True:
        with transaction.atomic():
            ids = list(
                AccessLog.objects.filter(created_at__lt=ip_cutoff, ip__isnull=False)
                .order_by("id")
                .values_list("id", flat=True)[:size]
            )
            AccessLog.objects.filter(id__in=ids).update(ip=None)
        if len(ids) < size:
            break
    cutoff = timezone.now() - datetime.timedelta(days=days)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                AccessLog.objects.filter(created_at__lt=cutoff).order_by("id").values_list("id", flat=True)[:size]
            )
            if not ids:
                return deleted
            deleted += AccessLog.objects.filter(id__in=ids).delete()[0]
        if len(ids) < size:
            return deleted


def log_event(*, request: HttpRequest, event: str, user_id: int | None) -> AccessLog | None:
    """Log a sign-in, signup or checkout (the order-verification trail). Never breaks the flow it records."""
    if user_id is None:
        return None
    try:
        with transaction.atomic():
            return log_access(request=request, status=200, user_id=user_id, event=event)
    except DatabaseError:
        logger.exception("AccessLog write failed")
        return None


def stop_logging_request(request: HttpRequest) -> None:
    """Nothing more is logged for this request (its person was just erased: a row written after the erasure would
    hold their data again)."""
    request._access_logged = True
