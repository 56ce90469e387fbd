"""Reads that carry a privacy rule: what a request may set and render, and who may go to the ad partner."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from . import registry
from .app_settings import app_settings
from .cookies import CookieChoice
from .models import ConsentEvent, Disclosure, PrivacySettings

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest

_SETTINGS_ATTR = "_privacy_settings"
_CHOICE_ATTR = "_privacy_cookie_choice"


def sends_gpc(request: HttpRequest) -> bool:
    """Global Privacy Control: the browser asks us not to sell or share its data (`Sec-GPC: 1`)."""
    return request.META.get(app_settings.GPC_HEADER, "").strip() == "1"


def settings_for_request(request: HttpRequest) -> PrivacySettings | None:
    """The signed-in user's PrivacySettings row (None for guests or before any choice), read once per request."""
    if not hasattr(request, _SETTINGS_ATTR):
        user = getattr(request, "user", None)
        row = None
        if user is not None and user.is_authenticated:
            row = PrivacySettings.objects.filter(user_id=user.pk).first()
        setattr(request, _SETTINGS_ATTR, row)
    return getattr(request, _SETTINGS_ATTR)


def forget_request_cache(request: HttpRequest) -> None:
    for attr in (_SETTINGS_ATTR, _CHOICE_ATTR):
        if hasattr(request, attr):
            delattr(request, attr)


def guest_choice(request: HttpRequest, *, gpc: bool = False) -> CookieChoice | None:
    """The choice stored in this browser's signed cookie; a missing, expired or tampered cookie is no choice."""
    raw = request.get_signed_cookie(
        app_settings.CONSENT_COOKIE_NAME,
        default=None,
        salt=app_settings.CONSENT_COOKIE_SALT,
        max_age=app_settings.CONSENT_COOKIE_DAYS * 86400,
    )
    if raw is None:
        return None
    return CookieChoice.from_cookie_value(raw, gpc=gpc)


def effective_choice(request: HttpRequest) -> CookieChoice:
    """THE rule for what a request may set and render, decided once per request:

    1. a signed-in user's saved answer, else 2. this browser's signed cookie, else no choice (necessary only);
    then Global Privacy Control refuses advertising whatever the answer was.
    """
    cached = getattr(request, _CHOICE_ATTR, None)
    if cached is not None:
        return cached
    gpc = sends_gpc(request)
    choice = None
    row = settings_for_request(request)
    if row is not None and row.cookies_chosen_at is not None:
        choice = CookieChoice(
            chosen=True,
            preferences=row.preferences_cookies,
            analytics=row.analytics_cookies,
            # a GPC signal once received from this account is a standing refusal, in every browser
            advertising=row.advertising_cookies and row.gpc_recorded_at is None,
            gpc=gpc,
        )
    if choice is None:
        choice = guest_choice(request, gpc=gpc) or CookieChoice(gpc=gpc)
    setattr(request, _CHOICE_ATTR, choice)
    return choice


def _ad_sharing_refused() -> Q:
    """Who must never reach the ad partner (relative to the user model): switched off sharing, sent GPC once,
    or answered the cookie banner without allowing advertising."""
    return (
        Q(privacy_settings__ad_sharing_opted_out=True)
        | Q(privacy_settings__gpc_recorded_at__isnull=False)
        | Q(privacy_settings__cookies_chosen_at__isnull=False, privacy_settings__advertising_cookies=False)
    )


def ad_sharing_refused_reasons(row: PrivacySettings | None, *, gpc_now: bool = False) -> list[str]:
    """Why this account's data is not shared with the ad partner (empty: it is shared). Mirrors _ad_sharing_refused."""
    reasons = []
    if gpc_now or (row is not None and row.gpc_recorded_at is not None):
        reasons.append("gpc")
    if row is not None and row.ad_sharing_opted_out:
        reasons.append("opted_out")
    if row is not None and row.cookies_chosen_at is not None and not row.advertising_cookies:
        reasons.append("cookies")
    return reasons


def ad_feed_audience() -> QuerySet:
    """Every active account the ad partner may receive: not opted out, no GPC, advertising not refused,
    and not excluded by any app's registered rule (e.g. accounts excludes minors)."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="").exclude(_ad_sharing_refused())
    for exclusion in registry.ad_feed_exclusions():
        users = users.exclude(exclusion())
    return users.order_by("pk")


def consent_history(user: AbstractBaseUser) -> QuerySet:
    """Every ConsentEvent about this account, newest first."""
    return ConsentEvent.objects.filter(user=user).select_related("policy_version").order_by("-created_at", "-id")


def disclosures_for(user: AbstractBaseUser) -> QuerySet:
    """Every Disclosure of this account's data to a third party, newest first."""
    return Disclosure.objects.filter(user=user).order_by("-created_at", "-id")


def privacy_choices_section(user: AbstractBaseUser) -> list[dict]:
    """privacy's own "what we hold about you" section (registered in PrivacyConfig.ready)."""
    row = PrivacySettings.objects.filter(user_id=user.pk).first()
    if row is None:
        return []
    items = []
    if row.cookies_chosen_at is not None:
        allowed = [
            name
            for name, on in [
                ("preferences", row.preferences_cookies),
                ("analytics", row.analytics_cookies),
                ("advertising", row.advertising_cookies),
            ]
            if on
        ]
        items.append(
            {"Cookie choice": ", ".join(allowed) or "necessary cookies only", "Answered": row.cookies_chosen_at}
        )
    items.append({"Tailored advertising": "not shared" if ad_sharing_refused_reasons(row) else "shared"})
    if row.gpc_recorded_at is not None:
        items.append({"Global Privacy Control signal first received": row.gpc_recorded_at})
    return items


def disclosures_with_reference(reference: str) -> QuerySet[Disclosure]:
    """The disclosures recorded about one object of another app (e.g. "order:12"), oldest first."""
    return Disclosure.objects.filter(reference=reference).order_by("created_at")


def consent_events(subjects: Iterable[str]) -> QuerySet[ConsentEvent]:
    """The ledger rows about these subjects (e.g. "subscriber:7"), newest first."""
    return ConsentEvent.objects.filter(subject__in=list(subjects)).select_related("policy_version")
