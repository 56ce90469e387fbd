"""The visitor's own privacy choices: cookie categories, Global Privacy Control, ad-partner sharing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from ..app_settings import app_settings
from ..cookies import OPTIONAL_CATEGORIES
from ..models import ConsentEvent, PrivacySettings
from ..subjects import user_subject
from .ledger import record_consent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest


def _user_subject(user: AbstractBaseUser) -> str:
    return user_subject(user.pk)


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
    """The ad-sharing choice: sharing needs this explicit yes (nobody is shared by default); a no withdraws it.
    Appends a ConsentEvent when the answer changes."""
    row, _ = PrivacySettings.objects.select_for_update().get_or_create(user=user)
    agreed = row.ad_sharing_agreed_at is not None
    if agreed == share and row.ad_sharing_opted_out == (not share):
        return None
    row.ad_sharing_agreed_at = timezone.now() if share else None
    row.ad_sharing_opted_out = not share
    row.save(update_fields=["ad_sharing_agreed_at", "ad_sharing_opted_out", "updated_at"])
    return record_consent(
        subject=_user_subject(user),
        purpose=app_settings.AD_SHARING_PURPOSE,
        action=ConsentEvent.Action.GRANTED if share else ConsentEvent.Action.WITHDRAWN,
        method=ConsentEvent.Method.PREFERENCE_CENTER,
        value="share" if share else "do_not_share",
        user=user,
        request=request,
    )
