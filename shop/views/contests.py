"""Contests: the list, a contest's entry form (rate-limited per client) and its public winners."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.age_screen import guest_age_screen
from subscriptions import throttle

from .. import services
from ..app_settings import app_settings
from ..forms import ContestEntryForm
from ..models import Contest, ContestEntry
from .support import client_fingerprint


def contest_list(request: HttpRequest) -> HttpResponse:
    return render(request, "shop/contest_list.html", {"contests": Contest.objects.all()[:50]})


def _contest_attempt_allowed(request: HttpRequest) -> bool:
    limit, window = app_settings.CONTEST_ATTEMPT_LIMIT
    return throttle.allow("shop-contest-attempt", client_fingerprint(request), limit=limit, window_seconds=window)


@guest_age_screen
def contest_detail(request: HttpRequest, slug: str) -> HttpResponse:
    contest = get_object_or_404(Contest, slug=slug)
    if request.method == "POST" and not _contest_attempt_allowed(request):
        messages.error(request, _("You have sent several entries in a short time. Please try again later."))
        return render(request, "shop/contest_detail.html", {"contest": contest, "form": ContestEntryForm()}, status=429)
    form = ContestEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enter_contest(contest=contest, **form.cleaned_data)
        except services.AlreadyEntered:
            pass  # the same answer as a new entry: whether an address entered is nobody else's business
        except services.ContestError as error:
            form.add_error(None, str(error))
            return render(request, "shop/contest_detail.html", {"contest": contest, "form": form})
        messages.success(request, _("You are entered. Good luck! We will email you only if you win."))
        return redirect(contest.get_absolute_url())
    return render(request, "shop/contest_detail.html", {"contest": contest, "form": form})


def contest_winners(request: HttpRequest, slug: str) -> HttpResponse:
    contest = get_object_or_404(Contest, slug=slug)
    winners = ContestEntry.objects.filter(contest=contest, is_winner=True, list_publicly=True).only(
        "first_name", "city"
    )
    return render(
        request,
        "shop/contest_winners.html",
        {"contest": contest, "winners": winners},
    )
