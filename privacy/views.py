from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import registry, selectors, services
from .app_settings import app_settings
from .cookies import CookieChoice, catalogue, write_choice_cookie
from .forms import AdSharingForm, CookieChoiceForm


def _safe_next(request: HttpRequest, candidate: str, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@never_cache
@require_http_methods(["GET", "POST"])
def cookie_settings(request: HttpRequest) -> HttpResponse:
    """Cookie settings page; also the target of the banner's three buttons (plain forms, no JavaScript)."""
    cookies_url = reverse("privacy:cookies")
    form = CookieChoiceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return _render_cookie_page(request, form, status=400)
        if form.cleaned_data["choice"] == CookieChoiceForm.CUSTOMISE:
            return HttpResponseRedirect(cookies_url)
        categories = form.allowed_categories()
        if request.user.is_authenticated:
            services.save_cookie_choice(user=request.user, categories=categories, request=request)
        if form.cleaned_data["choice"] == CookieChoiceForm.SAVE:
            target = f"{cookies_url}?saved=1"
        else:
            target = _safe_next(request, form.cleaned_data["next"], reverse("home"))
        return write_choice_cookie(HttpResponseRedirect(target), CookieChoice.from_categories(categories))
    return _render_cookie_page(request, form)


def _render_cookie_page(request: HttpRequest, form: CookieChoiceForm, status: int = 200) -> HttpResponse:
    choice = selectors.effective_choice(request)
    categories = [
        {"info": info, "checked": choice.chosen and choice.values().get(info.key, False)}
        for info in catalogue(app_settings.CONSENT_COOKIE_NAME, app_settings.CONSENT_COOKIE_DAYS)
    ]
    context = {
        "form": form,
        "choice": choice,
        "categories": categories,
        "saved": request.GET.get("saved") == "1" and choice.chosen,
    }
    return render(request, "privacy/cookies.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def ad_sharing(request: HttpRequest) -> HttpResponse:
    """ "Don't share my data for tailored advertising": an account setting; a guest's lever is the cookie choice."""
    choice = selectors.effective_choice(request)
    context = {"choice": choice, "partner": app_settings.AD_PARTNER_NAME}
    if not request.user.is_authenticated:
        context["keep_categories"] = [category for category in choice.allowed if category != "advertising"]
        return render(request, "privacy/ad_sharing.html", context)
    row = selectors.settings_for_request(request)
    if request.method == "POST":
        form = AdSharingForm(request.POST)
        if form.is_valid():
            services.set_ad_sharing(user=request.user, share=form.cleaned_data["share"], request=request)
            messages.success(request, "Your advertising choice is saved.")
            return redirect("privacy:ad_sharing")
        status = 400
    else:
        form = AdSharingForm(initial={"share": "no" if row is not None and row.ad_sharing_opted_out else "yes"})
        status = 200
    context.update(form=form, reasons=selectors.ad_sharing_refused_reasons(row, gpc_now=choice.gpc))
    return render(request, "privacy/ad_sharing.html", context, status=status)


DASHBOARD_PAGE_SIZE = 50


@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    """What we hold about you, your consent history and who received your data (signed in);
    for guests, the way to the cookie and ad-sharing settings."""
    choice = selectors.effective_choice(request)
    context = {"choice": choice, "partner": app_settings.AD_PARTNER_NAME}
    if request.user.is_authenticated:
        user = request.user
        context.update(
            sections=[
                {"key": section.key, "title": section.title, "items": section.fn(user)}
                for section in registry.data_sections()
            ],
            consents=Paginator(selectors.consent_history(user), DASHBOARD_PAGE_SIZE).get_page(
                request.GET.get("consents")
            ),
            disclosures=Paginator(selectors.disclosures_for(user), DASHBOARD_PAGE_SIZE).get_page(
                request.GET.get("disclosures")
            ),
            reasons=selectors.ad_sharing_refused_reasons(selectors.settings_for_request(request), gpc_now=choice.gpc),
        )
    return render(request, "privacy/dashboard.html", context)
