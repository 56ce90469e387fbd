"""Reads that carry a privacy rule: what a request may set and render, and who may go to the ad partner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from . import registry
from .app_settings import app_settings
from .cookies import CookieChoice, category_names
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
    """Who must not reach the ad partner even after a yes (relative to the user model): switched sharing off,
    sent GPC once, or answered the cookie banner without allowing advertising."""
    return (
        Q(privacy_settings__ad_sharing_opted_out=True)
        | Q(privacy_settings__gpc_recorded_at__isnull=False)
        | Q(privacy_settings__cookies_chosen_at__isnull=False, privacy_settings__advertising_cookies=False)
    )


def ad_sharing_refused_reasons(row: PrivacySettings | None, *, gpc_now: bool = False) -> list[str]:
    """Why this account's own choices keep it out of the feed (empty: they allow it). Mirrors the choice part of
    ad_feed_audience; the apps' exclusions (minors, unconfirmed addresses) are explained by ad_sharing_status."""
    reasons = []
    if gpc_now or (row is not None and row.gpc_recorded_at is not None):
        reasons.append("gpc")
    if row is not None and row.ad_sharing_opted_out:
        reasons.append("opted_out")
    elif row is None or row.ad_sharing_agreed_at is None:
        reasons.append("not_agreed")
    if row is not None and row.cookies_chosen_at is not None and not row.advertising_cookies:
        reasons.append("cookies")
    return reasons


def ad_feed_audience() -> QuerySet:
    """THE rule for who the ad partner may receive. Nobody is in it by default: an active account is in only
    after saying yes on the ad-sharing page (`ad_sharing_agreed_at`), while it has not switched sharing off, sent
    GPC or refused advertising cookies, and no app's registered rule excludes it (accounts excludes minors and
    accounts whose address is not confirmed). The pages explain each person's answer with ad_sharing_status."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, privacy_settings__ad_sharing_agreed_at__isnull=False)
        .exclude(email="")
        .exclude(_ad_sharing_refused())
    )
    for exclusion in registry.ad_feed_exclusions():
        users = users.exclude(exclusion())
    return users.order_by("pk")


@dataclass(frozen=True)
class AdSharingStatus:
    shared: bool
    reasons: tuple[str, ...] = ()


def ad_sharing_status(user: AbstractBaseUser, row: PrivacySettings | None = None) -> AdSharingStatus:
    """What the feed does for this person: `shared` is ad_feed_audience's answer (the rule, one query); the
    reasons only explain a no: "not_agreed", "opted_out", "gpc", "cookies", "inactive" and each app's exclusion
    reason ("under_18", "unconfirmed")."""
    if ad_feed_audience().filter(pk=user.pk).exists():
        return AdSharingStatus(shared=True)
    if row is None:
        row = PrivacySettings.objects.filter(user_id=user.pk).first()
    reasons = ad_sharing_refused_reasons(row)
    users = get_user_model().objects.filter(pk=user.pk)
    reasons += [
        reason for reason, exclusion in registry.ad_feed_exclusion_reasons() if users.filter(exclusion()).exists()
    ]
    if not getattr(user, "is_active", True):
        reasons.append("inactive")
    return AdSharingStatus(shared=False, reasons=tuple(reasons))


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
            {
                gettext("Cookie choice"): gettext("%(categories)s cookies allowed")
                % {"categories": category_names(allowed)}
                if allowed
                else gettext("necessary cookies only"),
                gettext("Answered"): row.cookies_chosen_at,
            }
        )
    shared = ad_sharing_status(user, row).shared
    items.append({gettext("Tailored advertising"): gettext("shared") if shared else gettext("not shared")})
    if row.gpc_recorded_at is not None:
        items.append({gettext("Global Privacy Control signal first received"): row.gpc_recorded_at})
    return items


def disclosures_with_reference(reference: str) -> QuerySet[Disclosure]:
    """The disclosures recorded about one object of another app (e.g. "order:12"), oldest first."""
    return Disclosure.objects.filter(reference=reference).order_by("created_at")


def consent_events(subjects: Iterable[str]) -> QuerySet[ConsentEvent]:
    """The ledger rows about these subjects (e.g. "subscriber:7"), newest first."""
    return ConsentEvent.objects.filter(subject__in=list(subjects)).select_related("policy_version")
