from allauth.account.views import SignupView as AllauthSignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from . import age_screen, services
from .forms import AddressForm, AgeScreenForm, ProfileForm
from .models import Address


def _refusal(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/age_refused.html", status=403)


@never_cache
@require_http_methods(["GET", "POST"])
def age_screen_view(request: HttpRequest) -> HttpResponse:
    """Step one of signup. Under 13: the refusal page, a signed cookie, and nothing else written anywhere."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    if age_screen.is_refused(request):
        return _refusal(request)
    form = AgeScreenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        band = form.age_band()
        if band is None:
            return age_screen.refuse(request, _refusal(request))
        age_screen.remember(request, band)
        return age_screen.pass_browser(request, redirect("account_signup"), band)
    return render(request, "accounts/age_screen.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def age_check_view(request: HttpRequest) -> HttpResponse:
    """The same neutral screen in front of the guest forms (reviews, contests, contact), asked once per browser.

    Under 13: the refusal page, the signup's signed cookie, and nothing else written anywhere. Otherwise a signed
    cookie with the band only, then back to the form (`next`, a path on this site)."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=False
    ):
        next_url = reverse("home")
    if age_screen.is_refused(request):
        return age_screen.refusal_page(request)
    if age_screen.passed(request):
        return HttpResponseRedirect(next_url)
    form = AgeScreenForm(request.POST or None, purpose=AgeScreenForm.GUEST_FORM)
    if request.method == "POST" and form.is_valid():
        band = form.age_band()
        if band is None:
            return age_screen.refuse(request, age_screen.refusal_page(request))
        return age_screen.pass_browser(request, HttpResponseRedirect(next_url), band)
    return render(request, "accounts/age_check.html", {"form": form, "next": next_url})


class SignupView(AllauthSignupView):
    """allauth's signup, entered only through the age screen, which hands it the age band."""

    def dispatch(self, request, *args, **kwargs):
        if (
            not request.user.is_authenticated
            and not age_screen.is_refused(request)
            and age_screen.band(request) is None
        ):
            return redirect("accounts:age_screen")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "age_band": age_screen.band(self.request)}


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            services.update_profile(user=request.user, data=form.cleaned_data)
            language = form.cleaned_data.get("language") or translation.get_language()
            with translation.override(language):  # the next page is in the language just chosen
                messages.success(request, gettext("Your details are saved."))
            response = redirect("accounts:profile")
            if form.cleaned_data.get("language"):
                _set_language_cookie(response, language)
            return response
        request.user.refresh_from_db()
    return render(request, "accounts/profile.html", {"form": form, "addresses": request.user.addresses.all()})


@login_required
def address_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    address = get_object_or_404(Address, pk=pk, user=request.user) if pk else None
    initial = None if address else {"country": request.user.country}  # a new address starts in the profile's country
    form = AddressForm(request.POST or None, instance=address, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_address(user=request.user, address=form.save(commit=False))
        messages.success(request, gettext("Address saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/address_form.html", {"form": form, "address": address})


@login_required
@require_POST
def address_delete(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Address, pk=pk, user=request.user)
    services.delete_address(user=request.user, address_id=pk)
    messages.success(request, gettext("Address removed."))
    return redirect("accounts:profile")


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    """The same cookie as the header's switcher (Django's set_language): it beats Accept-Language on every page."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's switcher: Django's set_language (the cookie; `next` only to this site), and for a signed-in
    person the account's language, so their emails follow (accounts.services.set_account_language)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.set_account_language(user=request.user, language=language)
    return response
