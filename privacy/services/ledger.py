"""The two append-only records every app writes through: ConsentEvent (record_consent) and Disclosure
(record_disclosure, record_bulk_disclosure), each in the caller's transaction."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Exists, OuterRef
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


def current_policy_version_id() -> int | None:
    """The id alone: every consent write names the version in force, and needs neither its title nor its body."""
    return (
        PolicyVersion.objects.filter(effective_at__lte=timezone.now())
        .order_by("-effective_at")
        .values_list("pk", flat=True)
        .first()
    )


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
    ip, agent = "", ""
    if request is not None:
        ip = request.META.get("REMOTE_ADDR", "")
        agent = request.META.get("HTTP_USER_AGENT", "")
    policy_version_id, policy_language = policy_in_force(language)
    return ConsentEvent.objects.create(
        user=user if user is not None and user.pk else None,
        subject=subject,
        purpose=purpose,
        action=action,
        value=value,
        method=method,
        double_opt_in=double_opt_in,
        policy_version_id=policy_version_id,
        ip_prefix=truncate_ip(ip),
        user_agent=agent[:300],
        language=policy_language,
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
