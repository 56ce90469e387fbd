"""The two append-only records every app writes through: ConsentEvent (record_consent) and Disclosure
(record_disclosure, record_bulk_disclosure), each in the caller's transaction."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import connection, connections, transaction
from django.db.models import Field, QuerySet
from django.db.models.functions import Now
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from ..models import ConsentEvent, Disclosure, PolicyVersion
from ..subjects import user_subject

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


def current_policy_version_id() -> int | None:
    """The id alone: every consent write names the version in force, and needs neither its title nor its body."""
    return (
        PolicyVersion.objects.filter(effective_at__lte=timezone.now())
        .order_by("-effective_at")
        .values_list("pk", flat=True)
        .first()
    )


def _new_event(
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
    """The event record_consent and record_consent_on_update write, unsaved and without its policy version."""
    ip, agent = "", ""
    if request is not None:
        ip = request.META.get("REMOTE_ADDR", "")
        agent = request.META.get("HTTP_USER_AGENT", "")
    return ConsentEvent(
        user=user if user is not None and user.pk else None,
        subject=subject,
        purpose=purpose,
        action=action,
        value=value,
        method=method,
        double_opt_in=double_opt_in,
        ip_prefix=truncate_ip(ip),
        user_agent=agent[:300],
    )


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
    record = _new_event(
        subject=subject,
        purpose=purpose,
        action=action,
        method=method,
        value=value,
        user=user,
        double_opt_in=double_opt_in,
        request=request,
    )
    record.policy_version_id = current_policy_version_id()
    record.save(force_insert=True)
    return record


@functools.cache
def _event_insert() -> tuple[str, tuple[Field, ...]]:
    """The INSERT half of record_consent_on_update's statement, the same on every call: its SQL, and the fields whose
    values fill its placeholders, in order. The policy version in force is read by the statement itself."""
    policy_sql, policy_params = (
        PolicyVersion.objects.filter(effective_at__lte=Now())
        .order_by("-effective_at")
        .values("pk")[:1]
        .query.sql_with_params()
    )
    assert not policy_params  # noqa: S101 (Now() is the statement's own clock: nothing to pass)
    columns, selected, fields = [], [], []
    for field in ConsentEvent._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.attname == "policy_version_id":
            selected.append(f"({policy_sql})")
        else:
            # The type without its length: an explicit CAST to varchar(n) would truncate a long value silently, where
            # the INSERT's own assignment raises (as record_consent's INSERT does).
            selected.append(f"CAST(%s AS {re.sub(r'[(].*[)]', '', field.cast_db_type(connection))})")
            fields.append(field)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(ConsentEvent._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(selected)} FROM changed LIMIT 1 RETURNING 1"
    )
    return sql, tuple(fields)


def record_consent_on_update(
    changes: QuerySet,
    values: dict[str, Any],
    *,
    subject: str,
    purpose: str,
    action: str,
    method: str,
    user_id: int | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """`changes.update(**values)` and, when it changed a row, one ConsentEvent (record_consent's arguments; the
    account by its id, which is all the event keeps).

    On PostgreSQL both are ONE statement, a data-modifying CTE: the UPDATE, then the INSERT of the event only if the
    UPDATE returned a row, with the policy version in force read inside the same statement. A statement is atomic
    on its own, so the pair needs no transaction and no lock of its own: the UPDATE's row lock makes a concurrent
    repeat (a mail provider's one-click retry) wait, re-check its WHERE and change nothing, so exactly one event is
    written per change. This is the one-click unsubscribe's hot path (issue 18: with the token's read, 8 round trips
    became 2). Elsewhere (SQLite, the demo) the same in a transaction. Returns whether a row changed.
    """
    record = _new_event(subject=subject, purpose=purpose, action=action, method=method, request=request)
    record.user_id = user_id
    if connection.vendor != "postgresql":
        with transaction.atomic(using=changes.db):
            if not changes.update(**values):
                return False
            record.policy_version_id = current_policy_version_id()
            record.save(force_insert=True)
            return True
    query = changes.query.chain(UpdateQuery)
    query.add_update_values(values)
    query.annotations = {}
    update_sql, update_params = query.get_compiler(changes.db).as_sql()
    insert_sql, fields = _event_insert()
    params = [field.get_db_prep_save(field.pre_save(record, add=True), connection) for field in fields]
    # Every name is Django's own (the compiled UPDATE, quoted columns and table); every value is a parameter.
    with connections[changes.db].cursor() as cursor:
        cursor.execute(f"WITH changed AS ({update_sql} RETURNING 1) {insert_sql}", [*update_params, *params])
        return cursor.fetchone() is not None


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
        subject=subject or (user_subject(user.pk) if user is not None and user.pk else ""),
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
                subject=user_subject(user_id),
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
