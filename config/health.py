"""Health checks for load balancers and orchestrators: /healthz (the process answers) and /readyz (it can work).

Both answer JSON with no personal data: check names, true/false, and the class name of any error.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Backends that keep mail on this machine: fine for the demo and tests, not for production.
LOCAL_EMAIL_BACKENDS = {
    "demo.mailbox.FileMailboxBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "anymail.backends.test.EmailBackend",
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    ping = getattr(cache, "ping", None)
    if ping is None:
        raise RuntimeError("the cache is not Redis")
    ping()


def check_broker() -> None:
    from config.celery import app

    if app.conf.task_always_eager:
        raise RuntimeError("no broker: tasks run eagerly")
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)


def check_esp() -> None:
    """A real ESP backend, configured: anymail raises at construction when its credentials are missing."""
    if settings.EMAIL_BACKEND in LOCAL_EMAIL_BACKENDS:
        raise RuntimeError("EMAIL_BACKEND keeps mail on this machine")
    get_connection(fail_silently=False)


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker, "esp": check_esp}


def run_checks() -> dict[str, dict[str, object]]:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # a health check reports every failure, whatever raised it
            results[name] = {"ok": False, "error": type(exc).__name__}
        else:
            results[name] = {"ok": True}
    return results


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    ready = all(result["ok"] for result in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
