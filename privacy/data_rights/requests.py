"""Data-subject requests: opening and completing a DataRequest, and how an erased person's address is spelled."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from ..app_settings import app_settings
from ..models import DataRequest
from ..subjects import normalise_email, user_subject

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from .person import Person


class AlreadyErased(Exception):
    """erase_person was called for an account that was already erased."""


class ErasureNotAllowed(Exception):
    """Staff tried to erase a staff or superuser account without being a superuser."""


def erased_email(pk: int | str, kind: str = "user") -> str:
    """The placeholder that replaces an erased address: unique, normalised, undeliverable (.invalid)."""
    return f"erased-{kind}-{pk}@{app_settings.ERASED_EMAIL_DOMAIN}"


def is_erased_email(email: str) -> bool:
    return email.endswith(f"@{app_settings.ERASED_EMAIL_DOMAIN}")


def person_emails(user: AbstractBaseUser | Person) -> list[str]:
    """Every address of the person, normalised (stripped, lower-cased): the account's address and every address
    an app registered (registry.register_person_emails: accounts gives each address the account ever confirmed),
    or a guest Person's own addresses. Erased placeholders are left out. Exporters and erasers that find rows by
    address use this."""
    from .. import registry
    from .person import Person

    if isinstance(user, Person):
        found = set(user.emails)
        if user.user is not None:
            found.update(person_emails(user.user))
    else:
        found = {getattr(user, "email", "") or ""}
        for provider in registry.person_email_providers():
            found.update(provider(user))
    spelled = {normalise_email(e) for e in found if e}
    return sorted(e for e in spelled if e and not is_erased_email(e))


def any_email_of(user: AbstractBaseUser | Person, field: str = "email") -> Q:
    """A filter for rows whose `field` holds any address of the person (case-insensitive); matches nothing if the
    person has none."""
    query = Q(pk__in=[])
    for email in person_emails(user):
        query |= Q(**{f"{field}__iexact": email})
    return query


def retention_period() -> datetime.timedelta:
    return datetime.timedelta(days=round(365.25 * app_settings.ORDER_RETENTION_YEARS))


def open_request(
    *,
    kind: str,
    user: AbstractBaseUser | None,
    self_service: bool = False,
    notes: str = "",
    subject: str = "",
    language: str = "",
) -> DataRequest:
    """`language`: the one the person asked in (the page's, or a guest link's), kept so that what we send them
    about the request is written in it; anything not in settings.LANGUAGES is stored as "" (the default)."""
    from ..services import known_language

    now = timezone.now()
    return DataRequest.objects.create(
        kind=kind,
        user=user,
        subject=user_subject(user.pk) if user is not None else subject,
        received_at=now,
        due_at=now + datetime.timedelta(days=app_settings.REQUEST_DUE_DAYS),
        self_service=self_service,
        notes=notes,
        language=known_language(language),
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
