"""The demo mailbox: the emails the file sink (demo.mailbox) wrote, for trying the links of the demo."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import mailbox


@staff_member_required
def mailbox_list(request: HttpRequest) -> HttpResponse:
    if not mailbox.is_enabled():
        raise Http404
    return render(request, "demo/mailbox_list.html", {"emails": mailbox.list_emails()})


@staff_member_required
def mailbox_message(request: HttpRequest, name: str) -> HttpResponse:
    stored = mailbox.get_email(name) if mailbox.is_enabled() else None
    if stored is None:
        raise Http404
    return render(request, "demo/mailbox_detail.html", {"email": stored})
