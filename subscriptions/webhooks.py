"""The ESP webhooks (anymail's views), answered only where they can be trusted.

anymail's views accept unauthenticated calls when WEBHOOK_SECRET is unset (a warning, then 200): anyone could
post a forged hard bounce and suppress an address for good. So a route answers only when

- `ANYMAIL["WEBHOOK_SECRET"]` is set (anymail then requires that HTTP basic auth on every call, and also checks the
  ESP's own signature where anymail verifies one: Mailgun, Mandrill, Postal, Resend, MailerSend, Amazon SES...), and
- its ESP is the one configured: `EMAIL_BACKEND` is anymail's backend for it, or `ANYMAIL` holds a setting of it.

Every other route answers 404, as if it were not mounted (an ESP without its settings would otherwise answer 500
from anymail's ImproperlyConfigured). `check --deploy` fails without a webhook secret (subscriptions/checks.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from anymail import urls as anymail_urls
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt

app_name = anymail_urls.app_name  # reverse("anymail:postmark_tracking_webhook") keeps working


def webhook_secret() -> str | list[str]:
    return (getattr(settings, "ANYMAIL", None) or {}).get("WEBHOOK_SECRET") or ""


def _esp_of(pattern: URLPattern) -> str:
    """`postmark` from "postmark/tracking/", `amazon_ses` from "amazon_ses/inbound/"."""
    return str(pattern.pattern).split("/", 1)[0]


def configured_esps() -> set[str]:
    """The ESPs this site sends through or has settings for, by anymail's names (`postmark`, `amazon_ses`)."""
    known = {_esp_of(pattern) for pattern in anymail_urls.urlpatterns}
    backend = settings.EMAIL_BACKEND
    esps = {esp for esp in known if backend == f"anymail.backends.{esp}.EmailBackend"}
    keys = (getattr(settings, "ANYMAIL", None) or {}).keys()
    esps |= {esp for esp in known if any(key.upper().startswith(f"{esp.upper()}_") for key in keys)}
    return esps


def is_open(esp: str) -> bool:
    return bool(webhook_secret()) and esp in configured_esps()


def _guarded(esp: str, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @csrf_exempt
    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_open(esp):
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


urlpatterns = [
    URLPattern(pattern.pattern, _guarded(_esp_of(pattern), pattern.callback), pattern.default_args, pattern.name)
    for pattern in anymail_urls.urlpatterns
]
