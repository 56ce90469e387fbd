"""The cookie catalogue and the value object for one browser's (or one account's) cookie choice.

Necessary cookies are always on. The optional categories are off until the shopper says otherwise,
and advertising stays off whenever the browser sends Global Privacy Control (`Sec-GPC: 1`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import registry
from .app_settings import app_settings


class CookieCategory(models.TextChoices):
    NECESSARY = "necessary", _("Necessary")
    PREFERENCES = "preferences", _("Preferences")
    ANALYTICS = "analytics", _("Analytics")
    ADVERTISING = "advertising", _("Advertising")


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
    allow_label: str = ""  # the checkbox's label: "Allow analytics cookies"
    cookies_caption: str = ""  # the cookie table's caption: "Necessary cookies"


# Each category in words, in the reader's language (lazy: rendered when the page is).
CATEGORY_WORDS = {
    CookieCategory.NECESSARY: {
        "description": _("Needed for the shop to work. They are always on and never used to track you."),
        "allow": _("Allow necessary cookies"),
        "caption": _("Necessary cookies"),
        "plural": pgettext_lazy("cookies of this category, in a list", "necessary"),
    },
    CookieCategory.PREFERENCES: {
        "description": _(
            "Remember display choices you make, such as how product lists are sorted. We set none of these yet; "
            "any we add will be listed here first."
        ),
        "allow": _("Allow preferences cookies"),
        "caption": _("Preferences cookies"),
        "plural": pgettext_lazy("cookies of this category, in a list", "preferences"),
    },
    CookieCategory.ANALYTICS: {
        "description": _(
            "Count page views, and let our newsletters count whether they were opened (email open beacons), "
            "so we learn what is useful. Counts only, never sold."
        ),
        "allow": _("Allow analytics cookies"),
        "caption": _("Analytics cookies"),
        "plural": pgettext_lazy("cookies of this category, in a list", "analytics"),
    },
    CookieCategory.ADVERTISING: {
        "description": _(
            "Let our advertising partner's tags run on our pages, so it can show you ads for our products "
            "elsewhere. Refused automatically when your browser sends Global Privacy Control."
        ),
        "allow": _("Allow advertising cookies"),
        "caption": _("Advertising cookies"),
        "plural": pgettext_lazy("cookies of this category, in a list", "advertising"),
    },
}


def category_names(categories) -> str:
    """The categories as the dashboard's sentence names them: "preferences, analytics"."""
    return ", ".join(str(CATEGORY_WORDS[category]["plural"]) for category in categories)


def _days(count: int) -> str:
    # Two messages rather than ngettext: the catalogue check (tests/test_translations.py) compares singular entries.
    return gettext("1 day") if count == 1 else gettext("%(count)d days") % {"count": count}


def _category(category: CookieCategory, cookies: tuple[CookieInfo, ...] = ()) -> CategoryInfo:
    words = CATEGORY_WORDS[category]
    return CategoryInfo(
        key=category,
        title=str(category.label),
        description=str(words["description"]),
        cookies=cookies,
        allow_label=str(words["allow"]),
        cookies_caption=str(words["caption"]),
    )


def _language_cookie() -> tuple[CookieInfo, ...]:
    """Django's language cookie, when the site lets people choose their language (LocaleMiddleware)."""
    if "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE:
        return ()
    age = settings.LANGUAGE_COOKIE_AGE
    lifetime = _days(age // 86400) if age else gettext("Until you close your browser")
    return (
        CookieInfo(settings.LANGUAGE_COOKIE_NAME, gettext("Remembers the language you chose for the shop."), lifetime),
    )


def catalogue(consent_cookie_name: str, consent_days: int) -> list[CategoryInfo]:
    """Every category and every cookie we set, as the cookie settings page explains them (in the active language)."""
    necessary = (
        CookieInfo(
            settings.SESSION_COOKIE_NAME,
            gettext("Keeps you signed in and remembers your cart between pages."),
            _days(settings.SESSION_COOKIE_AGE // 86400),
        ),
        CookieInfo(
            settings.CSRF_COOKIE_NAME,
            gettext("Protects the forms you send us against forgery by other websites."),
            _days(settings.CSRF_COOKIE_AGE // 86400),
        ),
        CookieInfo(
            consent_cookie_name,
            gettext("Remembers the choices you make on this page, so we don't ask on every visit."),
            _days(consent_days),
        ),
        *_language_cookie(),
        *(CookieInfo(name, str(purpose), str(lifetime)) for name, purpose, lifetime in registry.necessary_cookies()),
    )
    return [
        _category(CookieCategory.NECESSARY, necessary),
        _category(CookieCategory.PREFERENCES),
        _category(CookieCategory.ANALYTICS),
        _category(CookieCategory.ADVERTISING),
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
