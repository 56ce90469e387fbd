"""The demo mailbox: the emails the file sink (demo.mailbox) wrote, for trying the links of the demo.

It shows every email, password-reset and email-confirmation links included, so only superusers may open it (they
can set anyone's password anyway); other staff would otherwise read a reset link for a superuser and take the
account over. It exists only in demo mode: the demo app and its URLs are not installed otherwise.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.contrib.auth.decorators import user_passes_test
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import mailbox

superuser_required = user_passes_test(lambda user: user.is_active and user.is_superuser, login_url="admin:login")


@superuser_required
def mailbox_list(request: HttpRequest) -> HttpResponse:
    if not mailbox.is_enabled():
        raise Http404
    return render(request, "demo/mailbox_list.html", {"emails": mailbox.list_emails()})


@superuser_required
def mailbox_message(request: HttpRequest, name: str) -> HttpResponse:
    stored = mailbox.get_email(name) if mailbox.is_enabled() else None
    if stored is None:
        raise Http404
    return render(
        request,
        "demo/mailbox_detail.html",
        {"email": stored, "links": [(link, as_recipient(request, link)) for link in stored.links]},
    )


def as_recipient(request: HttpRequest, link: str) -> str:
    """The link on the shop's other local name (127.0.0.1 <-> localhost): a browser keeps one cookie jar per host,
    so the recipient's page opens in a session of its own. Following a shopper's confirmation link in the staff
    session would otherwise sign staff out (allauth signs out whoever is signed in as someone else)."""
    host = request.get_host()
    name, _, port = host.partition(":")
    other = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(name)
    parts = urlsplit(link)
    if other is None or parts.hostname not in {"127.0.0.1", "localhost"}:
        return ""
    return urlunsplit(parts._replace(netloc=f"{other}:{port}" if port else other))
