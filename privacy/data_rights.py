"""Data-subject rights: export ("download my data"), erasure ("delete my account"), the policy acknowledgement
and the audit. Each app above privacy contributes through privacy.registry; privacy never imports them."""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import registry
from .app_settings import app_settings
from .models import AccessLog, ConsentEvent, DataExport, DataRequest, Disclosure, PolicyVersion, PrivacySettings
from .services import record_consent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "shop-preference-center/personal-data-export"
EXPORT_FORMAT_VERSION = 1


class AlreadyErased(Exception):
    """erase_person was called for an account that was already erased."""


class ErasureNotAllowed(Exception):
    """Staff tried to erase a staff or superuser account without being a superuser."""


def erased_email(pk: int | str, kind: str = "user") -> str:
    """The placeholder that replaces an erased address: unique, normalised, undeliverable (.invalid)."""
    return f"erased-{kind}-{pk}@{app_settings.ERASED_EMAIL_DOMAIN}"


def is_erased_email(email: str) -> bool:
    return email.endswith(f"@{app_settings.ERASED_EMAIL_DOMAIN}")


def retention_period() -> datetime.timedelta:
    return datetime.timedelta(days=round(365.25 * app_settings.ORDER_RETENTION_YEARS))


def open_request(
    *, kind: str, user: AbstractBaseUser | None, self_service: bool = False, notes: str = ""
) -> DataRequest:
    now = timezone.now()
    return DataRequest.objects.create(
        kind=kind,
        user=user,
        subject=f"user:{user.pk}" if user is not None else "",
        received_at=now,
        due_at=now + datetime.timedelta(days=app_settings.REQUEST_DUE_DAYS),
        self_service=self_service,
        notes=notes,
    )


def _complete(data_request: DataRequest, *, summary: dict, handled_by: AbstractBaseUser | None) -> DataRequest:
    now = timezone.now()
    data_request.status = DataRequest.Status.COMPLETED
    data_request.completed_at = now
    data_request.verified_at = data_request.verified_at or now
    data_request.summary = summary
    if handled_by is not None and handled_by.pk:
        data_request.handled_by = handled_by
    data_request.save()
    return data_request


# Export -------------------------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def build_export_payload(user: AbstractBaseUser) -> dict:
    """Everything every app holds about this person: {"format", "version", "generated_at", "sections":
    {key: {"title", "items": [ {label: value}, ... ]}}}. Keys are documented in docs/privacy.md."""
    sections = {}
    for exporter in registry.exporters():
        items = exporter.fn(user)
        if isinstance(items, dict):
            items = [items]
        sections[exporter.key] = {"title": exporter.title, "items": _jsonable(list(items))}
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_FORMAT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "sections": sections,
    }


@transaction.atomic
def request_export(
    *, user: AbstractBaseUser, data_request: DataRequest | None = None, handled_by: AbstractBaseUser | None = None
) -> DataExport:
    """Queue a "download my data" file for the person; a Celery task builds it after the commit."""
    from .tasks import build_data_export

    if data_request is None:
        data_request = open_request(kind=DataRequest.Kind.EXPORT, user=user, self_service=handled_by is None)
    if handled_by is not None and data_request.handled_by_id is None:
        data_request.handled_by = handled_by
        data_request.save(update_fields=["handled_by"])
    export = DataExport.objects.create(
        user=user,
        request=data_request,
        expires_at=timezone.now() + datetime.timedelta(days=app_settings.EXPORT_DAYS),
    )
    transaction.on_commit(lambda: build_data_export.delay(export.pk))
    return export


@transaction.atomic
def build_data_export(*, export_id: int) -> DataExport | None:
    """Fill in one export (idempotent: a ready or expired export is left alone)."""
    export = (
        DataExport.objects.select_for_update(of=("self",))
        .select_related("user", "request")
        .filter(pk=export_id)
        .first()
    )
    if export is None or export.status == DataExport.Status.READY or export.expires_at <= timezone.now():
        return export
    export.content = json.dumps(build_export_payload(export.user), cls=DjangoJSONEncoder, ensure_ascii=False)
    export.status = DataExport.Status.READY
    export.ready_at = timezone.now()
    export.save(update_fields=["content", "status", "ready_at"])
    if export.request is not None and export.request.status != DataRequest.Status.COMPLETED:
        _complete(
            export.request,
            summary={"export": str(export.public_id), "sections": sorted(export.payload["sections"])},
            handled_by=None,
        )
    return export


def display_tree(value: Any) -> dict:
    """An export value as nodes a template can render without type tests: text, a list of texts, or records
    (a list of [(label, node), ...]) for nested objects such as an order's lines."""
    if isinstance(value, dict):
        return {"kind": "records", "records": [_record(value)]}
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value) and value:
            return {"kind": "records", "records": [_record(item) for item in value]}
        return {"kind": "list", "items": [_text(item) for item in value]}
    return {"kind": "text", "text": _text(value)}


def _record(item: dict) -> list[tuple[str, dict]]:
    return [(str(label).replace("_", " ").capitalize(), display_tree(value)) for label, value in item.items()]


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def display_sections(payload: dict) -> list[dict]:
    return [
        {"key": key, "title": section["title"], "records": [_record(item) for item in section["items"]]}
        for key, section in payload["sections"].items()
    ]


def purge_expired_exports() -> int:
    return DataExport.objects.filter(expires_at__lte=timezone.now()).delete()[0]


# Erasure ------------------------------------------------------------------------------------------------------


def erased_user_ids() -> list[int]:
    return list(
        DataRequest.objects.filter(
            kind=DataRequest.Kind.ERASURE, status=DataRequest.Status.COMPLETED, user__isnull=False
        ).values_list("user_id", flat=True)
    )


@transaction.atomic
def erase_person(
    user: AbstractBaseUser,
    *,
    request: HttpRequest | None = None,
    data_request: DataRequest | None = None,
    handled_by: AbstractBaseUser | None = None,
) -> DataRequest:
    """Erase one person in ONE transaction, every registered eraser in turn (the user row's last).

    The account row is locked first (SELECT ... FOR UPDATE): an order being placed for the same account locks
    it too, so the two run one after the other and each completes or rolls back whole. What is kept, and why,
    is in docs/privacy.md: orders for PRIVACY_ORDER_RETENTION_YEARS with the person's details replaced, the
    consent ledger and the disclosure log (no clear email), the address as a keyed hash in the suppression list.
    """
    locked = get_user_model().objects.select_for_update().get(pk=user.pk)
    if handled_by is not None and (locked.is_staff or locked.is_superuser) and not handled_by.is_superuser:
        # Erasing a staff account ends an administrator: a privacy officer alone must not be able to remove one.
        raise ErasureNotAllowed(f"only a superuser may erase staff account {locked.pk}")
    if DataRequest.objects.filter(
        kind=DataRequest.Kind.ERASURE, status=DataRequest.Status.COMPLETED, user=locked
    ).exists():
        raise AlreadyErased(f"user {locked.pk} was already erased")
    retention = retention_period()
    summary: dict[str, Any] = {}
    for eraser in registry.erasers():
        summary[eraser.key] = _jsonable(eraser.fn(locked, retention=retention))
    record_consent(
        subject=f"user:{locked.pk}",
        purpose=app_settings.ERASURE_PURPOSE,
        action=ConsentEvent.Action.WITHDRAWN,
        method=ConsentEvent.Method.ACCOUNT_DELETION if handled_by is None else ConsentEvent.Method.STAFF,
        value="erased",
        user=locked,
        request=request,
    )
    if data_request is None:
        data_request = open_request(kind=DataRequest.Kind.ERASURE, user=locked, self_service=handled_by is None)
    data_request = _complete(data_request, summary=summary, handled_by=handled_by)
    logger.info("Erased user %s (data request %s)", locked.pk, data_request.pk)
    return data_request


def erase_privacy_data(user: AbstractBaseUser, *, retention: datetime.timedelta) -> dict:
    """privacy's own eraser: settings, access logs and export files go; the consent ledger and the disclosure
    log stay (they hold no clear email and prove what was agreed and handed over)."""
    return {
        "privacy_settings_deleted": PrivacySettings.objects.filter(user_id=user.pk).delete()[0],
        "access_logs_deleted": AccessLog.objects.filter(user_id=user.pk).delete()[0],
        "exports_deleted": DataExport.objects.filter(user_id=user.pk).delete()[0],
    }


def privacy_leftover(user: AbstractBaseUser) -> int:
    return (
        PrivacySettings.objects.filter(user_id=user.pk).count()
        + AccessLog.objects.filter(user_id=user.pk).count()
        + DataExport.objects.filter(user_id=user.pk).count()
    )


# privacy's own export sections --------------------------------------------------------------------------------


def export_consent_history(user: AbstractBaseUser) -> list[dict]:
    subjects = [f"user:{user.pk}"]
    events = ConsentEvent.objects.filter(user_id=user.pk) | ConsentEvent.objects.filter(subject__in=subjects)
    return [
        {
            "when": e.created_at,
            "subject": e.subject,
            "purpose": e.purpose,
            "action": e.action,
            "value": e.value,
            "method": e.method,
            "double_opt_in": e.double_opt_in,
            "policy_version": e.policy_version.version if e.policy_version else "",
            "ip_prefix": e.ip_prefix,
        }
        for e in events.select_related("policy_version").order_by("created_at", "id")
    ]


def export_disclosures(user: AbstractBaseUser) -> list[dict]:
    return [
        {
            "when": d.created_at,
            "recipient_kind": d.recipient_kind,
            "recipient": d.recipient_name,
            "purpose": d.purpose,
            "data_categories": d.data_categories,
            "reference": d.reference,
        }
        for d in Disclosure.objects.filter(user_id=user.pk).order_by("created_at", "id")
    ]


def export_access_logs(user: AbstractBaseUser) -> list[dict]:
    return [
        {
            "when": a.created_at,
            "event": a.event,
            "method": a.method,
            "path": a.path,
            "status": a.status,
            "ip": a.ip or "",
            "ip_prefix": a.ip_prefix,
        }
        for a in AccessLog.objects.filter(user_id=user.pk).order_by("created_at", "id")
    ]


def export_privacy_settings(user: AbstractBaseUser) -> list[dict]:
    row = PrivacySettings.objects.filter(user_id=user.pk).first()
    if row is None:
        return []
    return [
        {
            "cookies_chosen_at": row.cookies_chosen_at,
            "preferences_cookies": row.preferences_cookies,
            "analytics_cookies": row.analytics_cookies,
            "advertising_cookies": row.advertising_cookies,
            "ad_sharing_opted_out": row.ad_sharing_opted_out,
            "gpc_recorded_at": row.gpc_recorded_at,
        }
    ]


def export_data_requests(user: AbstractBaseUser) -> list[dict]:
    return [
        {"kind": r.kind, "status": r.status, "received_at": r.received_at, "completed_at": r.completed_at}
        for r in DataRequest.objects.filter(user_id=user.pk).order_by("received_at", "id")
    ]


# Policy versions ----------------------------------------------------------------------------------------------


def material_policy_in_force() -> PolicyVersion | None:
    """The newest material version already in force (the one shoppers are asked to review)."""
    return (
        PolicyVersion.objects.filter(effective_at__lte=timezone.now(), is_material=True)
        .order_by("-effective_at")
        .first()
    )


def needs_policy_review(user: AbstractBaseUser, version: PolicyVersion | None) -> bool:
    """A signed-in shopper who joined before a material change and hasn't acknowledged it yet."""
    if version is None or not user.is_authenticated or getattr(user, "is_staff", False):
        return False
    joined = getattr(user, "date_joined", None)
    if joined is not None and joined >= version.effective_at:
        return False
    return not ConsentEvent.objects.filter(
        user_id=user.pk,
        purpose=app_settings.POLICY_PURPOSE,
        action=ConsentEvent.Action.ACKNOWLEDGED,
        value=version.version,
    ).exists()


@transaction.atomic
def acknowledge_policy(
    *, user: AbstractBaseUser, version: PolicyVersion, request: HttpRequest | None = None
) -> ConsentEvent | None:
    """The shopper read the changed policy. One ConsentEvent per version (repeating it writes nothing)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if not needs_policy_review(user, version):
        return None
    return record_consent(
        subject=f"user:{user.pk}",
        purpose=app_settings.POLICY_PURPOSE,
        action=ConsentEvent.Action.ACKNOWLEDGED,
        method=ConsentEvent.Method.PREFERENCE_CENTER,
        value=version.version,
        user=user,
        request=request,
    )


# Audit --------------------------------------------------------------------------------------------------------


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
        )
        sent += 1
    return sent


PRIVACY_OFFICER_GROUP = "Privacy officer"
SUPPORT_GROUP = "Support"
