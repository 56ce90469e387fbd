"""Writes that carry a privacy rule. Callers run these inside their own transaction, next to the state change."""

from __future__ import annotations

import csv
import datetime
import hashlib
import hmac
import ipaddress
import itertools
import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from django.db import DatabaseError, transaction
from django.utils import timezone

from . import registry
from .app_settings import app_settings
from .cookies import OPTIONAL_CATEGORIES
from .models import AccessLog, ConsentEvent, Disclosure, PolicyVersion, PrivacySettings

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest


def truncate_ip(ip: str | None) -> str:
    """Keep the network, drop the host: IPv4 to /24, IPv6 to /48. Anything unparsable is dropped."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def current_policy_version() -> PolicyVersion | None:
    return PolicyVersion.objects.filter(effective_at__lte=timezone.now()).order_by("-effective_at").first()


def record_consent(
    *,
    subject: str,
    purpose: str,
    action: str,
    method: str,
    value: str = "",
    user: AbstractBaseUser | None = None,
    double_opt_in: bool = False,
    request: HttpRequest | None = None,
) -> ConsentEvent:
    """Append one ConsentEvent. Call it in the same transaction as the change it records."""
    ip, agent = "", ""
    if request is not None:
        ip = request.META.get("REMOTE_ADDR", "")
        agent = request.META.get("HTTP_USER_AGENT", "")
    return ConsentEvent.objects.create(
        user=user if user is not None and user.pk else None,
        subject=subject,
        purpose=purpose,
        action=action,
        value=value,
        method=method,
        double_opt_in=double_opt_in,
        policy_version=current_policy_version(),
        ip_prefix=truncate_ip(ip),
        user_agent=agent[:300],
    )


def record_disclosure(
    *,
    recipient_kind: str,
    recipient_name: str,
    purpose: str,
    data_categories: Iterable[str],
    user: AbstractBaseUser | None = None,
    subject: str = "",
    reference: str = "",
    legal_basis: str = "",
    recorded_by: AbstractBaseUser | None = None,
) -> Disclosure:
    """Log that personal data went to a third party. Call it in the transaction that hands the data over."""
    categories = list(data_categories)
    if not purpose or not categories:
        raise ValueError("A disclosure needs a purpose and at least one data category.")
    if recipient_kind == Disclosure.RecipientKind.LAWFUL_REQUEST and not legal_basis:
        raise ValueError("A disclosure to an authority needs its legal basis.")
    return Disclosure.objects.create(
        legal_basis=legal_basis,
        recorded_by=recorded_by,
        user=user if user is not None and user.pk else None,
        subject=subject or (f"user:{user.pk}" if user is not None and user.pk else ""),
        recipient_kind=recipient_kind,
        recipient_name=recipient_name,
        purpose=purpose,
        data_categories=categories,
        reference=reference,
    )


def record_bulk_disclosure(
    *,
    recipient_kind: str,
    recipient_name: str,
    purpose: str,
    data_categories: Iterable[str],
    user_ids: Iterable[int],
    reference: str = "",
    batch_size: int = 1000,
) -> int:
    """record_disclosure for many people at once (one row each, so each sees it in their dashboard),
    inserted in batches. Call it in the transaction that hands the data over. Returns the number of rows."""
    categories = list(data_categories)
    if not purpose or not categories:
        raise ValueError("A disclosure needs a purpose and at least one data category.")
    total = 0
    batch: list[Disclosure] = []
    for user_id in user_ids:
        batch.append(
            Disclosure(
                user_id=user_id,
                subject=f"user:{user_id}",
                recipient_kind=recipient_kind,
                recipient_name=recipient_name,
                purpose=purpose,
                data_categories=categories,
                reference=reference,
            )
        )
        if len(batch) >= batch_size:
            total += len(Disclosure.objects.bulk_create(batch))
            batch = []
    if batch:
        total += len(Disclosure.objects.bulk_create(batch))
    return total


# Cookie choices, Global Privacy Control and ad-partner sharing ----------------------------------------------


def _user_subject(user: AbstractBaseUser) -> str:
    return f"user:{user.pk}"


@transaction.atomic
def save_cookie_choice(
    *, user: AbstractBaseUser, categories: Iterable[str], request: HttpRequest | None = None
) -> list[ConsentEvent]:
    """Save a signed-in shopper's cookie answer and append one ConsentEvent per category whose value changed
    (the first answer records every category). `categories` are the optional categories allowed."""
    allowed = set(categories)
    unknown = allowed - set(OPTIONAL_CATEGORIES)
    if unknown:
        raise ValueError(f"Unknown cookie categories: {sorted(unknown)}")
    row, _ = PrivacySettings.objects.select_for_update().get_or_create(user=user)
    first_answer = row.cookies_chosen_at is None
    events = []
    for category in OPTIONAL_CATEGORIES:
        field = f"{category}_cookies"
        new = category in allowed
        if first_answer or getattr(row, field) != new:
            events.append(
                record_consent(
                    subject=_user_subject(user),
                    purpose=f"cookies:{category}",
                    action=ConsentEvent.Action.GRANTED if new else ConsentEvent.Action.WITHDRAWN,
                    method=ConsentEvent.Method.COOKIE_BANNER,
                    value="on" if new else "off",
                    user=user,
                    request=request,
                )
            )
        setattr(row, field, new)
    row.cookies_chosen_at = timezone.now()
    row.save()
    return events


@transaction.atomic
def record_gpc_signal(*, user: AbstractBaseUser, request: HttpRequest | None = None) -> ConsentEvent | None:
    """A signed-in browser sent `Sec-GPC: 1`: a standing opt-out of ad-partner sharing, recorded once per
    account (a conditional UPDATE, so concurrent requests cannot record it twice). None if already recorded."""
    row, _ = PrivacySettings.objects.get_or_create(user=user)
    if row.gpc_recorded_at is not None:
        return None
    now = timezone.now()
    if not PrivacySettings.objects.filter(pk=row.pk, gpc_recorded_at__isnull=True).update(gpc_recorded_at=now):
        return None
    return record_consent(
        subject=_user_subject(user),
        purpose=app_settings.AD_SHARING_PURPOSE,
        action=ConsentEvent.Action.WITHDRAWN,
        method=ConsentEvent.Method.GPC,
        value="Sec-GPC: 1",
        user=user,
        request=request,
    )


@transaction.atomic
def set_ad_sharing(*, user: AbstractBaseUser, share: bool, request: HttpRequest | None = None) -> ConsentEvent | None:
    """The "Don't share my data for tailored advertising" switch. Appends a ConsentEvent when it changes."""
    row, _ = PrivacySettings.objects.select_for_update().get_or_create(user=user)
    opted_out = not share
    if row.ad_sharing_opted_out == opted_out:
        return None
    row.ad_sharing_opted_out = opted_out
    row.save(update_fields=["ad_sharing_opted_out", "updated_at"])
    return record_consent(
        subject=_user_subject(user),
        purpose=app_settings.AD_SHARING_PURPOSE,
        action=ConsentEvent.Action.GRANTED if share else ConsentEvent.Action.WITHDRAWN,
        method=ConsentEvent.Method.PREFERENCE_CENTER,
        value="share" if share else "do_not_share",
        user=user,
        request=request,
    )


def hash_email(email: str) -> str:
    """Keyed SHA-256 (HMAC) of the normalised address: the partner can match it only against addresses it
    already holds, and nobody without the key can build a lookup table."""
    normalised = email.strip().lower()
    return hmac.new(app_settings.AD_FEED_HASH_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


AD_FEED_PURPOSE = "Tailored advertising: audience matching"
AD_FEED_DATA_CATEGORIES = ["email address (keyed hash)"]


@transaction.atomic
def export_ad_partner_feed(*, out: TextIO, reference: str = "") -> int:
    """Write the ad-partner feed as CSV (a header, then one keyed email hash per line) for everyone
    selectors.ad_feed_audience() allows, and record one Disclosure per person in the same transaction.
    Never a clear email, name, address or phone. Returns the number of people in the feed."""
    from .selectors import ad_feed_audience

    reference = reference or f"ad-feed:{timezone.now():%Y%m%dT%H%M%S}"
    columns = registry.ad_feed_columns()
    writer = csv.writer(out)
    writer.writerow(["email_sha256", *(column.name for column in columns)])
    user_ids: list[int] = []
    rows = ad_feed_audience().values_list("pk", "email").iterator(chunk_size=2000)
    while chunk := list(itertools.islice(rows, 2000)):
        ids = [user_id for user_id, _ in chunk]
        extra = [column.values(ids) for column in columns]
        for user_id, email in chunk:
            writer.writerow([hash_email(email), *(values.get(user_id, "") for values in extra)])
        user_ids.extend(ids)
    record_bulk_disclosure(
        recipient_kind=Disclosure.RecipientKind.AD_PARTNER,
        recipient_name=app_settings.AD_PARTNER_NAME,
        purpose=AD_FEED_PURPOSE,
        data_categories=[*AD_FEED_DATA_CATEGORIES, *(column.data_category for column in columns)],
        user_ids=user_ids,
        reference=reference,
    )
    return len(user_ids)


# AccessLog ------------------------------------------------------------------------------------------------------

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
