"""The Content-Security-Policy of every response (django-csp, CONTENT_SECURITY_POLICY in the settings), widened only
on the pages where `{% consent_tags %}` rendered a third-party tag, and only by that tag's origin.

The consent tags are the one place third-party script may run; everywhere else (and on every page before a visitor
consents) the policy allows our own origin and nonce-carrying inline scripts only.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

TAG_ORIGINS_ATTRIBUTE = "_privacy_tag_origins"
TAG_DIRECTIVES = ("script-src", "connect-src", "img-src")


def allow_tag(request: HttpRequest, url: str) -> None:
    """Called by `{% consent_tags %}` for each tag it renders: this response's policy admits the tag's origin."""
    parts = urlsplit(url)
    if parts.scheme in {"https", "http"} and parts.netloc:
        origins = getattr(request, TAG_ORIGINS_ATTRIBUTE, set())
        origins.add(f"{parts.scheme}://{parts.netloc}")
        setattr(request, TAG_ORIGINS_ATTRIBUTE, origins)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origins = sorted(getattr(request, TAG_ORIGINS_ATTRIBUTE, ()) or ())
        if origins and not report_only:
            update = dict(parts.update or {})
            for directive in TAG_DIRECTIVES:
                update[directive] = [*update.get(directive, []), *origins]
            parts.update = update
        return parts
