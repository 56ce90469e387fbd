from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.age_screen import guest_age_screen, passed
from privacy.throttle import client_ip
from shop.models import Product

from . import selectors, services
from .app_settings import app_settings
from .forms import ReviewForm
from .models import ReviewStatus
from .structured_data import product_reviews_json_ld

CHECK_INBOX = _(
    "Check your inbox to confirm your review. We have sent a link to the address you gave: your review goes to "
    "our team once you open it, and until then nothing changes on the site."
)
CONFIRMED = _("Thank you! Your review will appear once our team has checked it.")
PAGE_PARAM = "reviews_page"
SORT_PARAM = "reviews_sort"


def product_panel(request: HttpRequest, product: Product) -> tuple[str, dict]:
    """The reviews section of the product page (registered with shop.registry): summary, list, form, markup.

    A constant number of queries however many reviews there are: the summary, one page of reviews, and for a
    logged-in shopper the address that prefills the form.
    """
    sort = selectors.ReviewSort.clean(request.GET.get(SORT_PARAM))
    summary = selectors.rating_summary(product=product)
    paginator = Paginator(selectors.published_reviews(product=product, sort=sort), app_settings.PAGE_SIZE)
    paginator.count = summary.count  # the summary has counted them already: spare the COUNT query
    page = paginator.get_page(request.GET.get(PAGE_PARAM))
    reviews = list(page.object_list)
    return "reviews/product_panel.html", {
        "summary": summary,
        "reviews": reviews,
        "page": page,
        "sort": sort,
        "sort_choices": selectors.ReviewSort.CHOICES,
        "page_param": PAGE_PARAM,
        "sort_param": SORT_PARAM,
        # A guest who hasn't answered the age screen gets a link to the form (which asks first) instead of it.
        "form": ReviewForm(initial=selectors.review_form_initial(user=request.user)) if passed(request) else None,
        "json_ld": product_reviews_json_ld(product=product, summary=summary, reviews=reviews),
    }


@guest_age_screen
@require_http_methods(["GET", "POST"])
def write_review(request: HttpRequest, slug: str) -> HttpResponse:
    """The review form on its own page: where the product page's form posts, and where errors and warnings show."""
    product = get_object_or_404(Product, slug=slug, is_published=True)
    status = 200
    if request.method == "POST" and not services.allow_attempt(ip=client_ip(request)):
        messages.error(request, _("You have sent the review form many times in a short time. Please try again later."))
        form = ReviewForm(initial=selectors.review_form_initial(user=request.user))
        return render(request, "reviews/review_form.html", {"product": product, "form": form}, status=429)
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            if services.allow_submission(ip=client_ip(request), email=form.cleaned_data["email"]):
                review = services.submit_review(
                    product=product,
                    account=request.user,
                    language=translation.get_language(),
                    **form.review_data(),
                )
                # The same words whether or not the address has a review, an account or an order.
                messages.success(
                    request,
                    CHECK_INBOX if review.status == ReviewStatus.UNCONFIRMED else CONFIRMED,
                )
                return redirect(product.get_absolute_url() + "#reviews")
            form.add_error(None, _("You have sent several reviews in a short time. Please try again in an hour."))
            status = 429
    else:
        form = ReviewForm(initial=selectors.review_form_initial(user=request.user))
    return render(request, "reviews/review_form.html", {"product": product, "form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. Its GET shows a button and changes nothing (mail scanners open links); the POST confirms."""
    try:
        review = services.check_confirmation(token=token)
        if request.method == "POST":
            review = services.confirm_review(token=token)
            messages.success(request, CONFIRMED)
            return redirect(review.product.get_absolute_url() + "#reviews")
    except services.InvalidConfirmation:
        return render(request, "reviews/bad_link.html", status=400)
    return render(request, "reviews/confirm.html", {"product": review.product})
