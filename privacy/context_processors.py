"""`policy_review`: true when a signed-in shopper has yet to review a material change of the privacy policy
(base.html then shows a banner linking to /privacy/policy/).

The answer is worked out once per visit, at sign-in (privacy.signals), and kept in the session: pages read
the session only, no query. A session from before this existed is checked once, on its first page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

POLICY_SESSION_KEY = "privacy_policy_to_review"


def remember_policy_review(request: HttpRequest, user) -> str:
    """Store in the session the material version this user must review ("" for none) and return it."""
    from .data_rights import material_policy_in_force, needs_policy_review

    material = material_policy_in_force()
    version = material.version if material is not None and needs_policy_review(user, material) else ""
    if hasattr(request, "session"):
        request.session[POLICY_SESSION_KEY] = version
    return version


def _needs_review(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return False
    if POLICY_SESSION_KEY in request.session:
        return bool(request.session[POLICY_SESSION_KEY])
    return bool(remember_policy_review(request, user))


def policy_review(request: HttpRequest) -> dict:
    return {"policy_review": SimpleLazyObject(lambda: _needs_review(request))}
