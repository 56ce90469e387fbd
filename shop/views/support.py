"""Customer service: the contact form, rate-limited per client."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.age_screen import guest_age_screen
from subscriptions import throttle

from .. import services
from ..app_settings import app_settings
from ..forms import ContactForm


def client_fingerprint(request: HttpRequest) -> str:
    """What the contact and contest limits count under: the account when signed in, else the client's IP."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return "ip:" + throttle.client_ip(request)


def _contact_allowed(request: HttpRequest) -> bool:
    limit, window = app_settings.CONTACT_RATE_LIMIT
    return throttle.allow("shop-contact", client_fingerprint(request), limit=limit, window_seconds=window)


def _contact_attempt_allowed(request: HttpRequest) -> bool:
    """Every post counts, before the form is checked: the checks cost a bounded amount of work per client."""
    limit, window = app_settings.CONTACT_ATTEMPT_LIMIT
    return throttle.allow("shop-contact-attempt", client_fingerprint(request), limit=limit, window_seconds=window)


@guest_age_screen
def contact(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.get_full_name(), "email": request.user.email}
    if request.method == "POST" and not _contact_attempt_allowed(request):
        messages.error(request, _("You have sent the contact form many times in a short time. Please try again later."))
        return render(request, "shop/contact.html", {"form": ContactForm(initial=initial)}, status=429)
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if not _contact_allowed(request):
            messages.error(request, _("You have sent several messages recently. Please wait an hour and try again."))
            return render(request, "shop/contact.html", {"form": form}, status=429)
        services.open_ticket(user=request.user, language=translation.get_language(), **form.cleaned_data)
        return redirect("shop:contact_thanks")
    return render(request, "shop/contact.html", {"form": form})


def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "shop/contact_thanks.html")
