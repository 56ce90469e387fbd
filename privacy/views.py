import contextlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import data_rights, registry, selectors, services, throttle, wording
from .app_settings import app_settings
from .context_processors import POLICY_SESSION_KEY
from .cookies import CookieChoice, catalogue, category_names, write_choice_cookie
from .data_rights import guests
from .forms import (
    AdSharingForm,
    CookieChoiceForm,
    DeleteAccountForm,
    GuestConfirmForm,
    GuestRequestForm,
    PolicyAcknowledgeForm,
)
from .models import DataExport, GuestLink, PolicyVersion
from .subjects import normalise_email


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
    """Tailored advertising: an account's explicit yes or no (no by default), and what the feed does for the
    person; a guest's lever is the cookie choice."""
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
            messages.success(request, gettext("Your advertising choice is saved."))
            return redirect("privacy:ad_sharing")
        status = 400
    else:
        form = AdSharingForm(initial={"share": "yes" if row is not None and row.ad_sharing_agreed_at else "no"})
        status = 200
    context.update(form=form, ad_status=selectors.ad_sharing_status(request.user))
    return render(request, "privacy/ad_sharing.html", context, status=status)


DASHBOARD_PAGE_SIZE = 50


@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    """What we hold about you, your consent history and who received your data (signed in);
    for guests, the way to the cookie and ad-sharing settings."""
    choice = selectors.effective_choice(request)
    context = {
        "choice": choice,
        "partner": app_settings.AD_PARTNER_NAME,
        "allowed_categories": category_names(choice.allowed),
    }
    if request.user.is_authenticated:
        user = request.user
        consents = Paginator(selectors.consent_history(user), DASHBOARD_PAGE_SIZE).get_page(request.GET.get("consents"))
        disclosures = Paginator(selectors.disclosures_for(user), DASHBOARD_PAGE_SIZE).get_page(
            request.GET.get("disclosures")
        )
        context.update(
            sections=[
                {"key": section.key, "title": section.title, "items": section.fn(user)}
                for section in registry.data_sections()
            ],
            consents=consents,
            consent_rows=wording.describe_consents(consents),
            disclosures=disclosures,
            disclosure_rows=wording.describe_disclosures(disclosures),
            ad_status=selectors.ad_sharing_status(user, selectors.settings_for_request(request)),
        )
    return render(request, "privacy/dashboard.html", context)


# Data rights: download my data, delete my account, the privacy policy -----------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    """Download my data: ask for a file (built by a task), then open it as a page or download it as JSON."""
    if request.method == "POST":
        data_rights.request_export(user=request.user)
        messages.success(
            request,
            gettext("We are preparing your data. It stays here for you to download for %(days)d days.")
            % {"days": app_settings.EXPORT_DAYS},
        )
        return redirect("privacy:export")
    exports = DataExport.objects.filter(user=request.user, expires_at__gt=timezone.now()).order_by("-created_at")
    return render(request, "privacy/export.html", {"exports": exports, "days": app_settings.EXPORT_DAYS})


def _own_ready_export(request: HttpRequest, public_id) -> DataExport:
    return get_object_or_404(
        DataExport,
        public_id=public_id,
        user=request.user,
        status=DataExport.Status.READY,
        expires_at__gt=timezone.now(),
    )


@never_cache
@login_required
def export_page(request: HttpRequest, public_id) -> HttpResponse:
    data_export = _own_ready_export(request, public_id)
    sections = data_rights.display_sections(data_export.payload)
    return render(request, "privacy/export_page.html", {"export": data_export, "sections": sections})


@never_cache
@login_required
def export_json(request: HttpRequest, public_id) -> HttpResponse:
    data_export = _own_ready_export(request, public_id)
    response = HttpResponse(data_export.content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-data-{data_export.created_at:%Y-%m-%d}.json"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Delete my account: the password again, an explicit box, then erasure in one transaction."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            # A double-clicked button: the first click erased the account; the second just says it is done.
            with contextlib.suppress(data_rights.AlreadyErased):
                data_rights.erase_person(request.user, request=request)
            logout(request)
            return redirect("privacy:deleted")
        status = 400
    else:
        status = 200
    context = {"form": form, "retention_years": app_settings.ORDER_RETENTION_YEARS}
    return render(request, "privacy/delete.html", context, status=status)


def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/deleted.html")


@never_cache
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest) -> HttpResponse:
    """The privacy policy in force, its history, and (signed in, after a material change) the acknowledgement."""
    versions = list(
        PolicyVersion.objects.filter(effective_at__lte=timezone.now())
        .order_by("-effective_at")
        .prefetch_related("texts")
    )
    current = versions[0] if versions else None
    material = data_rights.material_policy_in_force()
    needs_review = data_rights.needs_policy_review(request.user, material)
    if request.method == "POST":
        form = PolicyAcknowledgeForm(request.POST)
        if not request.user.is_authenticated:
            return redirect("privacy:policy")
        if form.is_valid() and material is not None and form.cleaned_data["version"] == material.version:
            data_rights.acknowledge_policy(user=request.user, version=material, request=request)
            request.session[POLICY_SESSION_KEY] = ""
            messages.success(request, gettext("Thank you: you have reviewed the updated privacy policy."))
            return redirect("privacy:policy")
        messages.error(
            request, gettext("That policy version is no longer the one to review; please read the current one.")
        )
        return redirect("privacy:policy")
    chosen = current
    wanted = request.GET.get("version")
    if wanted:
        chosen = next((v for v in versions if v.version == wanted), current)
    return render(
        request,
        "privacy/policy.html",
        {
            "current": current,
            "shown": chosen,
            "shown_text": chosen.text_in() if chosen is not None else None,
            "versions": versions,
            "needs_review": needs_review,
            "material": material,
        },
    )


# Data rights without an account: an emailed, single-use link ----------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def guest_request(request: HttpRequest) -> HttpResponse:
    """Download or delete the data held under an address, for people without an account. The answer is the same
    for every address; what is emailed (a link, a note to use the account, or nothing) is decided by a task."""
    form = GuestRequestForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "hours": app_settings.GUEST_LINK_HOURS, "login_url": resolve_url(settings.LOGIN_URL)}
    if request.method == "POST":
        if not throttle.allow(
            "privacy-request-ip",
            throttle.client_ip(request),
            limit=app_settings.GUEST_REQUEST_RATE_PER_IP,
            window_seconds=3600,
        ):
            return render(request, "privacy/guest_request_throttled.html", status=429)
        if not form.is_valid():
            return render(request, "privacy/guest_request.html", context, status=400)
        email = normalise_email(form.cleaned_data["email"])
        # Past the per-address limit the answer is the same, but nothing is written or sent.
        if throttle.allow(
            "privacy-request-address",
            email,
            limit=app_settings.GUEST_REQUEST_RATE_PER_ADDRESS,
            window_seconds=86400,
        ):
            with transaction.atomic():
                # The email goes out later, from a task: it is written in the language of this page.
                guests.request_link(email=email, kind=form.cleaned_data["kind"], language=translation.get_language())
        return redirect("privacy:guest_request_sent")
    return render(request, "privacy/guest_request.html", context)


def guest_request_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/guest_request_sent.html", {"hours": app_settings.GUEST_LINK_HOURS})


@never_cache
@require_http_methods(["GET", "POST"])
def guest_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: a GET shows what will happen and a button; the POST runs it once."""
    if request.method == "POST":
        form = GuestConfirmForm(request.POST)
        wanted = form.cleaned_data["format"] if form.is_valid() else "page"
        result = guests.use_link(token, request=request)
        if result.state != guests.LinkState.OK:
            return _guest_link_problem(request, result.state)
        if result.kind == GuestLink.Kind.ERASURE:
            return render(request, "privacy/guest_erased.html")
        if wanted == "json":
            content = json.dumps(result.payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
            response = HttpResponse(content, content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.now():%Y-%m-%d}.json"'
            return response
        sections = data_rights.display_sections(result.payload)
        return render(request, "privacy/guest_export.html", {"sections": sections})
    opened = guests.open_link(token)
    if opened.state != guests.LinkState.OK:
        return _guest_link_problem(request, opened.state)
    context = {
        "kind": opened.link.kind,
        "expires_at": opened.link.expires_at,
        "retention_years": app_settings.ORDER_RETENTION_YEARS,
    }
    return render(request, "privacy/guest_confirm.html", context)


def _guest_link_problem(request: HttpRequest, state: str) -> HttpResponse:
    """Used, expired, tampered, or the address now belongs to an account: a clear page, nothing changed."""
    status = 409 if state == guests.LinkState.ACCOUNT else 410 if state == guests.LinkState.USED else 404
    context = {"state": state, "login_url": resolve_url(settings.LOGIN_URL)}
    return render(request, "privacy/guest_link_problem.html", context, status=status)
