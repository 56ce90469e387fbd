"""`policy_review`: true when a signed-in shopper has yet to review a material change of the privacy policy
(base.html then shows a banner linking to /privacy/policy/). Lazy, and remembered in the session once
acknowledged or found unnecessary, so most pages pay one cache read for it."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

POLICY_SESSION_KEY = "privacy_policy_reviewed"
_CACHE_KEY = "privacy:material-policy-version"
_CACHE_SECONDS = 60


def _material_version() -> str:
    from .data_rights import material_policy_in_force

    version = cache.get(_CACHE_KEY)
    if version is None:
        material = material_policy_in_force()
        version = material.version if material is not None else ""
        cache.set(_CACHE_KEY, version, _CACHE_SECONDS)
    return version


def _needs_review(request: HttpRequest) -> bool:
    from .data_rights import material_policy_in_force, needs_policy_review

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    version = _material_version()
    if not version or request.session.get(POLICY_SESSION_KEY) == version:
        return False
    if needs_policy_review(user, material_policy_in_force()):
        return True
    request.session[POLICY_SESSION_KEY] = version
    return False


def policy_review(request: HttpRequest) -> dict:
    return {"policy_review": SimpleLazyObject(lambda: _needs_review(request))}
