"""privacy_audit: every check each app registers, a finding per failure, and the weekly report to privacy officers."""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from .. import registry
from ..app_settings import app_settings
from ..models import AccessLog, Disclosure
from ..staff_groups import PRIVACY_OFFICER_GROUP
from .erasure import erased_user_ids
from .requests import is_erased_email

if TYPE_CHECKING:
    pass


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    key: str
    description: str
    count: int
    examples: list


def run_audit(*, examples: int = 5) -> list[Finding]:
    """Run every registered check; a failing check is itself a finding (count -1), never a crash."""
    findings = []
    for check in registry.audit_checks():
        try:
            count, ids = check.fn()
        except Exception:  # a broken check must not hide the others
            logger.exception("privacy audit check %s failed", check.key)
            count, ids = -1, []
        findings.append(Finding(check.key, check.description, count, list(ids)[:examples]))
    return findings


def access_logs_past_retention() -> tuple[int, list]:
    """Rows older than the retention period, or still holding a full IP address after its shorter period."""
    now = timezone.now()
    cutoff = now - datetime.timedelta(days=app_settings.ACCESS_LOG_RETENTION_DAYS)
    ip_cutoff = now - datetime.timedelta(days=app_settings.ACCESS_LOG_IP_DAYS)
    rows = AccessLog.objects.filter(Q(created_at__lt=cutoff) | Q(created_at__lt=ip_cutoff, ip__isnull=False))
    return rows.count(), list(rows.order_by("id").values_list("id", flat=True)[:5])


def disclosures_without_purpose() -> tuple[int, list]:
    rows = Disclosure.objects.filter(purpose="") | Disclosure.objects.filter(data_categories=[])
    return rows.count(), list(rows.order_by("id").values_list("id", flat=True)[:5])


def erased_people_with_clear_data() -> tuple[int, list]:
    """Every eraser's own leftover check, for every completed erasure."""
    users = get_user_model().objects.filter(pk__in=erased_user_ids())
    found = [u.pk for u in users if any(e.leftover(u) for e in registry.erasers() if e.leftover is not None)]
    return len(found), found[:5]


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def erased_addresses_in_clear() -> tuple[int, list]:
    """The leftover scan: every email-like value in every text column of every table, hashed by the registered
    matchers (the suppression list keeps an erased person's addresses only as keyed hashes); a match is a leftover
    unless the address is in use again (an active account or a live subscriber: the person came back). Reports
    "<table>.<column>#<id>", never the address."""
    matchers = registry.erased_address_matchers()
    if not matchers:
        return 0, []
    found_in: dict[str, list[str]] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, _TEXT_FIELDS) or field.primary_key:
                continue
            rows = (
                model._default_manager.annotate(_audit_text=Cast(field.attname, models.TextField()))
                .filter(_audit_text__contains="@")
                .values_list("pk", "_audit_text")
            )
            for pk, value in rows.iterator(chunk_size=2000):
                for email in _EMAIL.findall(value if isinstance(value, str) else str(value)):
                    email = email.lower()
                    if not is_erased_email(email):
                        found_in.setdefault(email, []).append(f"{model._meta.db_table}.{field.column}#{pk}")
    if not found_in:
        return 0, []
    in_use = {e.lower() for e in get_user_model().objects.filter(is_active=True).values_list("email", flat=True)}
    erased: set[str] = set()
    for matcher in matchers:
        erased |= matcher(sorted(found_in))
    places = sorted(place for email in erased - in_use for place in found_in[email])
    return len(places), places[:5]


def send_audit_report() -> int:
    """Email the audit to every active member of the "Privacy officer" group (service mail). Returns how many."""
    from django.contrib.auth.models import Group

    sender = registry.transactional_sender()
    findings = run_audit()
    group = Group.objects.filter(name=PRIVACY_OFFICER_GROUP).first()
    if sender is None or group is None:
        return 0
    officers = group.user_set.filter(is_active=True).exclude(email="")
    problems = [f for f in findings if f.count]
    sent = 0
    for officer in officers:
        sender(
            to=officer.email,
            template="email/privacy/audit_report",
            context={"findings": findings, "problems": problems},
            kind="service",
            object_id=f"privacy-audit:{timezone.now():%Y-%m-%d}",
            language=getattr(officer, "language", "") or None,  # the officer's saved language
        )
        sent += 1
    return sent
