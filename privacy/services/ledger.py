"""The two append-only records every app writes through: ConsentEvent (record_consent) and Disclosure
(record_disclosure, record_bulk_disclosure), each in the caller's transaction."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Exists, Field, OuterRef, QuerySet
from django.db.models.functions import Now
from django.db.models.sql import UpdateQuery
from django.utils import timezone, translation

from ..models import ConsentEvent, Disclosure, PolicyText, PolicyVersion
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


def known_language(language: str | None) -> str:
    """`language` when it is one of settings.LANGUAGES, else "" (a forged cookie or header never gets stored)."""
    return language if language and language in dict(settings.LANGUAGES) else ""


def policy_in_force(language: str | None = None) -> tuple[int | None, str]:
    """The id of the policy version in force and the language of its text a reader of `language` (default: the
    active language) is shown: that language when the version has a text in it, else settings.LANGUAGE_CODE.
    One query, the same as the id alone (the text's existence is a subquery); (None, "") before any version."""
    wanted = known_language(language or translation.get_language())
    versions = PolicyVersion.objects.filter(effective_at__lte=timezone.now()).order_by("-effective_at")
    if not wanted or wanted == settings.LANGUAGE_CODE:
        version_id = versions.values_list("pk", flat=True).first()
        return version_id, settings.LANGUAGE_CODE if version_id is not None else ""
    row = (
        versions.annotate(has_text=Exists(PolicyText.objects.filter(policy_version=OuterRef("pk"), language=wanted)))
        .values_list("pk", "has_text")
        .first()
    )
    if row is None:
        return None, ""
    return row[0], wanted if row[1] else settings.LANGUAGE_CODE


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
    language: str | None = None,
) -> ConsentEvent:
    """Append one ConsentEvent. Call it in the same transaction as the change it records.

    The event names the policy version in force and the language of its text the person saw: `language` (the page's
    or the email's; default: the active language) when the version has a text in it, else the default language's."""
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
    record.policy_version_id, record.language = policy_in_force(language)
    record.save(force_insert=True)
    return record


LANGUAGE_SLOT = "language"


@functools.cache
def _event_insert() -> tuple[str, tuple[Field | str, ...]]:
    """The INSERT half of record_consent_on_update's statement, the same on every call: its SQL, and what fills its
    placeholders, in order (a field's value, or LANGUAGE_SLOT's three). The statement itself reads the policy version
    in force and whether it has a text in the reader's language, as policy_in_force does in two."""
    policy_sql, policy_params = (
        PolicyVersion.objects.filter(effective_at__lte=Now())
        .order_by("-effective_at")
        .values("pk")[:1]
        .query.sql_with_params()
    )
    assert not policy_params  # noqa: S101 (Now() is the statement's own clock: nothing to pass)
    quote = connection.ops.quote_name
    text = PolicyText._meta
    version_column, language_column = (quote(text.get_field(name).column) for name in ("policy_version", "language"))
    has_text = (
        f"SELECT 1 FROM {quote(text.db_table)} "  # noqa: S608 (Django's names; the values are parameters)
        f"WHERE {version_column} = p.{quote('pk')} AND {language_column} = %s"
    )
    # The language of the text shown: the reader's when the version in force has one, else the default; "" when no
    # version is published yet (policy_in_force's rules).
    language_sql = f"COALESCE((SELECT CASE WHEN EXISTS ({has_text}) THEN %s ELSE %s END FROM ({policy_sql}) p), '')"  # noqa: S608
    columns, selected, slots = [], [], []
    for field in ConsentEvent._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        if field.attname == "policy_version_id":
            selected.append(f"({policy_sql})")
        elif field.attname == "language":
            selected.append(language_sql)
            slots.append(LANGUAGE_SLOT)
        else:
            # The type without its length: an explicit CAST to varchar(n) would truncate a long value silently, where
            # the INSERT's own assignment raises (as record_consent's INSERT does).
            selected.append(f"CAST(%s AS {re.sub(r'[(].*[)]', '', field.cast_db_type(connection))})")
            slots.append(field)
    sql = (
        f"INSERT INTO {quote(ConsentEvent._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(selected)} FROM changed LIMIT 1 RETURNING 1"
    )
    return sql, tuple(slots)


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
    language: str | None = None,
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
            record.policy_version_id, record.language = policy_in_force(language)
            record.save(force_insert=True)
            return True
    query = changes.query.chain(UpdateQuery)
    query.add_update_values(values)
    query.annotations = {}
    update_sql, update_params = query.get_compiler(changes.db).as_sql()
    insert_sql, slots = _event_insert()
    wanted = known_language(language or translation.get_language()) or settings.LANGUAGE_CODE
    params = []
    for slot in slots:
        if slot == LANGUAGE_SLOT:
            params += [wanted, wanted, settings.LANGUAGE_CODE]
        else:
            params.append(slot.get_db_prep_save(slot.pre_save(record, add=True), connection))
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
