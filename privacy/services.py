"""Writes that carry a privacy rule. Callers run these inside their own transaction, next to the state change."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone

from .models import ConsentEvent, Disclosure, PolicyVersion

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
) -> Disclosure:
    """Log that personal data went to a third party. Call it in the transaction that hands the data over."""
    categories = list(data_categories)
    if not purpose or not categories:
        raise ValueError("A disclosure needs a purpose and at least one data category.")
    return Disclosure.objects.create(
        user=user if user is not None and user.pk else None,
        subject=subject or (f"user:{user.pk}" if user is not None and user.pk else ""),
        recipient_kind=recipient_kind,
        recipient_name=recipient_name,
        purpose=purpose,
        data_categories=categories,
        reference=reference,
    )
