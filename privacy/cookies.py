"""The cookie catalogue and the value object for one browser's (or one account's) cookie choice.

Necessary cookies are always on. The optional categories are off until the shopper says otherwise,
and advertising stays off whenever the browser sends Global Privacy Control (`Sec-GPC: 1`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models

from . import registry
from .app_settings import app_settings


class CookieCategory(models.TextChoices):
    NECESSARY = "necessary", "Necessary"
    PREFERENCES = "preferences", "Preferences"
    ANALYTICS = "analytics", "Analytics"
    ADVERTISING = "advertising", "Advertising"


OPTIONAL_CATEGORIES: tuple[str, ...] = (
    CookieCategory.PREFERENCES,
    CookieCategory.ANALYTICS,
    CookieCategory.ADVERTISING,
)


@dataclass(frozen=True)
class CookieInfo:
    name: str
    purpose: str
    lifetime: str


@dataclass(frozen=True)
class CategoryInfo:
    key: str
    title: str
    description: str
    cookies: tuple[CookieInfo, ...]


def catalogue(consent_cookie_name: str, consent_days: int) -> list[CategoryInfo]:
    """Every category and every cookie we set, as the cookie settings page explains them."""
    return [
        CategoryInfo(
            CookieCategory.NECESSARY,
            "Necessary",
            "Needed for the shop to work. They are always on and never used to track you.",
            (
                CookieInfo(
                    settings.SESSION_COOKIE_NAME,
                    "Keeps you signed in and remembers your cart between pages.",
                    f"{settings.SESSION_COOKIE_AGE // 86400} days",
                ),
                CookieInfo(
                    settings.CSRF_COOKIE_NAME,
                    "Protects the forms you send us against forgery by other websites.",
                    f"{settings.CSRF_COOKIE_AGE // 86400} days",
                ),
                CookieInfo(
                    consent_cookie_name,
                    "Remembers the choices you make on this page, so we don't ask on every visit.",
                    f"{consent_days} days",
                ),
                *(CookieInfo(*cookie) for cookie in registry.necessary_cookies()),
            ),
        ),
        CategoryInfo(
            CookieCategory.PREFERENCES,
            "Preferences",
            "Remember display choices you make, such as how product lists are sorted. We set none of these yet; "
            "any we add will be listed here first.",
            (),
        ),
        CategoryInfo(
            CookieCategory.ANALYTICS,
            "Analytics",
            "Count page views, and let our newsletters count whether they were opened (email open beacons), "
            "so we learn what is useful. Counts only, never sold.",
            (),
        ),
        CategoryInfo(
            CookieCategory.ADVERTISING,
            "Advertising",
            "Let our advertising partner's tags run on our pages, so it can show you ads for our products "
            "elsewhere. Refused automatically when your browser sends Global Privacy Control.",
            (),
        ),
    ]


@dataclass(frozen=True)
class CookieChoice:
    """The effective cookie choice for one request.

    `chosen` is False until the shopper answers the banner; until then only necessary cookies are allowed.
    `gpc` is True when the request carried `Sec-GPC: 1`, which refuses advertising whatever was chosen.
    """

    chosen: bool = False
    preferences: bool = False
    analytics: bool = False
    advertising: bool = False
    gpc: bool = False

    def allows(self, category: str) -> bool:
        if category == CookieCategory.NECESSARY:
            return True
        if category not in OPTIONAL_CATEGORIES or not self.chosen:
            return False
        if category == CookieCategory.ADVERTISING and self.gpc:
            return False
        return bool(getattr(self, category))

    @property
    def allowed(self) -> list[str]:
        return [category for category in OPTIONAL_CATEGORIES if self.allows(category)]

    def values(self) -> dict[str, bool]:
        """The stored answer per optional category (before GPC)."""
        return {category: bool(getattr(self, category)) for category in OPTIONAL_CATEGORIES}

    def as_cookie_value(self) -> str:
        """Compact form stored in the signed cookie: the allowed categories, comma-separated ("" = none)."""
        return ",".join(category for category, on in self.values().items() if on) or "-"

    @classmethod
    def from_categories(cls, categories, *, gpc: bool = False) -> CookieChoice:
        chosen = set(categories)
        return cls(chosen=True, gpc=gpc, **{category: category in chosen for category in OPTIONAL_CATEGORIES})

    @classmethod
    def from_cookie_value(cls, value: str, *, gpc: bool = False) -> CookieChoice | None:
        """None for anything that is not a value we wrote (treated as "no choice yet")."""
        if value == "-":
            return cls.from_categories([], gpc=gpc)
        parts = value.split(",")
        if not value or any(part not in OPTIONAL_CATEGORIES for part in parts):
            return None
        return cls.from_categories(parts, gpc=gpc)


def write_choice_cookie(response, choice: CookieChoice):
    """Store the answer in this browser (a signed, necessary cookie), for guests and signed-in shoppers alike."""
    response.set_signed_cookie(
        app_settings.CONSENT_COOKIE_NAME,
        choice.as_cookie_value(),
        salt=app_settings.CONSENT_COOKIE_SALT,
        max_age=app_settings.CONSENT_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
