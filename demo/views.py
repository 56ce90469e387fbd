"""The demo mailbox: the emails the file sink (demo.mailbox) wrote, for trying the links of the demo.

It shows every email, password-reset and email-confirmation links included, so only superusers may open it (they
can set anyone's password anyway); other staff would otherwise read a reset link for a superuser and take the
account over. It exists only in demo mode: the demo app and its URLs are not installed otherwise.
"""

from __future__ import annotations

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
    return render(request, "demo/mailbox_detail.html", {"email": stored})
