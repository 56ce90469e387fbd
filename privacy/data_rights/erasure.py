"""The "Delete my account" flow: every app's eraser through privacy.registry, in one transaction, and the check
that nothing identifying is left."""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from .. import registry
from ..app_settings import app_settings
from ..models import AccessLog, ConsentEvent, DataExport, DataRequest, PrivacySettings
from ..services import record_consent, stop_logging_request
from ..subjects import user_subject
from .export import jsonable
from .requests import AlreadyErased, ErasureNotAllowed, _complete, open_request, person_emails, retention_period

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest


logger = logging.getLogger(__name__)


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
    if request is not None:
        stop_logging_request(request)  # the access-log row of this very request would name the person again
    for eraser in registry.erasers():
        summary[eraser.key] = jsonable(eraser.fn(locked, retention=retention))
    record_consent(
        subject=user_subject(locked.pk),
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
    """privacy's own eraser: settings, access logs and export files go, and the admin's change history stops naming
    the person; the consent ledger and the disclosure log stay (they hold no clear email and prove what was agreed
    and handed over). For a guest Person: the admin's change history naming its address."""
    from .person import Person

    if isinstance(user, Person) and user.user is None:
        rows = _admin_history_by_emails(person_emails(user))
        return {"admin_history_scrubbed": 0 if rows is None else rows.update(object_repr=ERASED_REPR)}
    return {
        "privacy_settings_deleted": PrivacySettings.objects.filter(user_id=user.pk).delete()[0],
        "access_logs_deleted": AccessLog.objects.filter(user_id=user.pk).delete()[0],
        "exports_deleted": DataExport.objects.filter(user_id=user.pk).delete()[0],
        "admin_history_scrubbed": _scrub_admin_history(user),
    }


ERASED_REPR = "[erased person]"


def _admin_history_naming(user: AbstractBaseUser, *, emails: list[str] | None = None):
    """django_admin_log rows whose object_repr names the person: their account, or any text holding one of their
    addresses or their full name (a subscriber, an order, a ticket shown by its email). None without the admin."""
    if not apps.is_installed("django.contrib.admin"):
        return None
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    query = Q(content_type=ContentType.objects.get_for_model(get_user_model()), object_id=str(user.pk))
    for email in person_emails(user) if emails is None else emails:
        query |= Q(object_repr__icontains=email)
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    if len(full_name) >= 5:
        query |= Q(object_repr__icontains=full_name)
    return LogEntry.objects.filter(query).exclude(object_repr=ERASED_REPR)


def _admin_history_by_emails(emails: list[str]):
    if not apps.is_installed("django.contrib.admin") or not emails:
        return None
    from django.contrib.admin.models import LogEntry

    query = Q(pk__in=[])
    for email in emails:
        query |= Q(object_repr__icontains=email)
    return LogEntry.objects.filter(query).exclude(object_repr=ERASED_REPR)


def _scrub_admin_history(user: AbstractBaseUser) -> int:
    rows = _admin_history_naming(user)
    return 0 if rows is None else rows.update(object_repr=ERASED_REPR)


def privacy_leftover(user: AbstractBaseUser) -> int:
    history = _admin_history_naming(user, emails=[])
    return (
        PrivacySettings.objects.filter(user_id=user.pk).count()
        + AccessLog.objects.filter(user_id=user.pk).count()
        + DataExport.objects.filter(user_id=user.pk).count()
        + (history.count() if history is not None else 0)
    )
