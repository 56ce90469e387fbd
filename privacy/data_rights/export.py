"""The "Download my data" flow: the export payload (every app's section through privacy.registry), its build task
and its display, plus privacy's own sections."""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation

from outbox import services as outbox

from .. import registry
from ..app_settings import app_settings
from ..models import AccessLog, ConsentEvent, DataExport, DataRequest, Disclosure, PrivacySettings
from ..subjects import user_subject
from .requests import _complete, open_request

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from .person import Person


EXPORT_FORMAT = "shop-preference-center/personal-data-export"


EXPORT_FORMAT_VERSION = 1


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def build_export_payload(user: AbstractBaseUser | Person, *, guest: bool = False) -> dict:
    """Everything every app holds about this person: {"format", "version", "generated_at", "sections":
    {key: {"title", "items": [ {label: value}, ... ]}}}. Keys are documented in docs/privacy.md. With guest=True
    `user` is a Person (an address without an account) and only the sections that answer for an address run."""
    sections = {}
    for exporter in registry.exporters(guest=guest):
        items = exporter.fn(user)
        if isinstance(items, dict):
            items = [items]
        # str(): a lazy title is written in the language active now (the person's, see build_data_export)
        sections[exporter.key] = {"title": str(exporter.title), "items": jsonable(list(items))}
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
    from ..tasks import build_data_export

    if data_request is None:
        data_request = open_request(
            kind=DataRequest.Kind.EXPORT,
            user=user,
            self_service=handled_by is None,
            language=translation.get_language() if handled_by is None else "",
        )
    if handled_by is not None and data_request.handled_by_id is None:
        data_request.handled_by = handled_by
        data_request.save(update_fields=["handled_by"])
    export = DataExport.objects.create(
        user=user,
        request=data_request,
        expires_at=timezone.now() + datetime.timedelta(days=app_settings.EXPORT_DAYS),
    )
    outbox.enqueue(build_data_export, export.pk)
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
    with translation.override(_export_language(export)):  # the titles in the person's language
        payload = build_export_payload(export.user)
    export.content = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False)
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


def _export_language(export: DataExport) -> str:
    """The account's saved language, else the one the request was made in, else the default."""
    from ..services import known_language

    asked = export.request.language if export.request is not None else ""
    return known_language(getattr(export.user, "language", "")) or known_language(asked) or settings.LANGUAGE_CODE


def purge_expired_exports() -> int:
    return DataExport.objects.filter(expires_at__lte=timezone.now()).delete()[0]


def export_consent_history(user: AbstractBaseUser) -> list[dict]:
    subjects = [user_subject(user.pk)]
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
            "user_agent": e.user_agent,
            "language": e.language,
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
            "legal_basis": d.legal_basis,
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
            "user_agent": a.user_agent,
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
