from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.age_screen import guest_age_screen
from privacy import services as access_log
from privacy.models import AccessLog
from subscriptions import throttle

from . import registry, selectors, services
from .app_settings import app_settings
from .cart import Cart, CartError
from .forms import PAGE_EXPIRED, CheckoutAddressForm, CheckoutForm, ContactForm, ContestEntryForm
from .models import Brand, Carrier, Category, Contest, ContestEntry, Order, OrderLine

PRODUCTS_PER_PAGE = 24
ORDERS_PER_PAGE = 20


# --- catalog -----------------------------------------------------------------------------------------------


def product_list(request: HttpRequest) -> HttpResponse:
    category = brand = None
    if slug := request.GET.get("category"):
        category = Category.objects.filter(slug=slug[:140]).first()
    if slug := request.GET.get("brand"):
        brand = Brand.objects.filter(slug=slug[:140], is_published=True).first()
    products = registry.annotate_product_list(selectors.catalog_products(category=category, brand=brand))
    page = Paginator(products, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "shop/product_list.html",
        {
            "page_obj": page,
            "products": page.object_list,
            "category": category,
            "brand": brand,
            "categories": Category.objects.all(),
            "product_list_templates": registry.product_list_templates(),
        },
    )


def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(selectors.catalog_products(), slug=slug)
    return render(
        request,
        "shop/product_detail.html",
        {
            "product": product,
            "product_panels": registry.render_product_panels(request, product),
            "max_quantity": app_settings.MAX_QUANTITY,
        },
    )


# --- cart --------------------------------------------------------------------------------------------------


def cart_detail(request: HttpRequest) -> HttpResponse:
    cart = Cart(request.session)
    lines = cart.lines()
    return render(
        request,
        "shop/cart.html",
        {"lines": lines, "subtotal": Cart.subtotal(lines), "max_quantity": app_settings.MAX_QUANTITY},
    )


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    cart = Cart(request.session)
    try:
        line = cart.add(
            product_id=request.POST.get("product_id"),
            style_id=request.POST.get("style_id"),
            quantity=request.POST.get("quantity", "1"),
        )
    except CartError as error:
        messages.error(request, str(error))
        product = selectors.catalog_products().filter(pk=_int_or_none(request.POST.get("product_id"))).first()
        return redirect(product.get_absolute_url() if product else "shop:cart")
    messages.success(request, f"Added {line.product.name} to your cart.")
    return redirect("shop:cart")


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    cart = Cart(request.session)
    key = request.POST.get("key", "")
    try:
        if "remove" in request.POST:
            cart.remove(key=key)
            messages.success(request, "Item removed from your cart.")
        else:
            cart.set_quantity(key=key, quantity=request.POST.get("quantity"))
            messages.success(request, "Quantity updated.")
    except CartError as error:
        messages.error(request, str(error))
    return redirect("shop:cart")


def _int_or_none(raw: object) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None


# --- checkout and orders -----------------------------------------------------------------------------------


@login_required
def checkout(request: HttpRequest) -> HttpResponse:
    cart = Cart(request.session)
    lines = cart.lines()
    subtotal = Cart.subtotal(lines)
    # A shopper with an empty address book types the delivery address here, inside the checkout form.
    new_address = not request.user.addresses.exists()
    placing = request.method == "POST" and "update_total" not in request.POST
    address_form = None
    if new_address:
        address_form = CheckoutAddressForm(
            request.POST if placing else None,
            inline=True,
            prefix="address",
            initial=_address_initial(request) if not placing else None,
        )
    if placing:
        form = CheckoutForm(request.POST, user=request.user, new_address=new_address)
        address_ok = address_form is None or address_form.is_valid()
        if form.is_valid() and address_ok:
            data = form.cleaned_data
            already = Order.objects.filter(user=request.user, checkout_key=data["checkout_key"]).first()
            if already is not None:  # a double-clicked "Place order": show the order placed by the first click
                return redirect("shop:order_placed", number=already.number)
            if not lines:
                messages.error(request, "Your cart is empty.")
                return redirect("shop:cart")
            if data["checkout_key"] != cart.checkout_key:  # a page from an earlier cart (or a forged key)
                messages.error(request, PAGE_EXPIRED)
                return redirect("shop:checkout")
            if data["expected_subtotal"] != subtotal:
                messages.error(request, "Prices in your cart changed since you opened this page. Please check them.")
                return redirect("shop:checkout")
            shipping_address, billing_address = data.get("shipping_address"), data.get("billing_address")
            if address_form is not None:
                shipping_address = billing_address = account_services.save_address(
                    user=request.user, address=address_form.save(commit=False)
                )
                # From here on the address is a choice in the address book, should the payment be declined.
                posted = request.POST.copy()
                posted["shipping_address"] = posted["billing_address"] = str(shipping_address.pk)
                form, address_form = CheckoutForm(posted, user=request.user, new_address=False), None
                form.is_valid()
            try:
                order = services.place_order(
                    user=request.user,
                    lines=lines,
                    shipping_address=shipping_address,
                    billing_address=billing_address,
                    carrier=data["carrier"],
                    payment_token=data["payment_token"],
                    expected_total=services.order_totals(lines=lines, carrier=data["carrier"]).total,
                    checkout_key=data["checkout_key"],
                )
            except services.PaymentDeclined as error:
                form.add_error("payment_token", str(error))  # shown beside the card fields and in the summary
            except services.CheckoutError as error:
                form.add_error(None, str(error))
            else:
                cart.clear()
                access_log.log_event(request=request, event=AccessLog.Event.CHECKOUT, user_id=request.user.pk)
                return redirect("shop:order_placed", number=order.number)
    elif request.method == "POST":
        # "Update total" (shown only without JavaScript): the same page with the chosen carrier; nothing is saved.
        form = CheckoutForm(user=request.user, new_address=new_address, initial=_posted_choices(request))
        if address_form is not None:
            address_form = CheckoutAddressForm(prefix="address", inline=True, initial=_posted_address(request))
    else:
        if not lines:
            messages.error(request, "Your cart is empty.")
            return redirect("shop:cart")
        defaults = {}
        addresses = list(request.user.addresses.all())
        for kind, field in (("shipping", "shipping_address"), ("billing", "billing_address")):
            preferred = next((a for a in addresses if a.kind == kind and a.is_default), None)
            preferred = preferred or next((a for a in addresses if a.kind == kind), None) or next(iter(addresses), None)
            if preferred:
                defaults[field] = preferred.pk
        form = CheckoutForm(
            user=request.user,
            new_address=new_address,
            initial={
                **defaults,
                "carrier": Carrier.DHL,
                "expected_subtotal": subtotal,
                "checkout_key": cart.checkout_key,
            },
        )
    return _render_checkout(request, form=form, lines=lines, address_form=address_form)


def _render_checkout(request: HttpRequest, *, form: CheckoutForm, lines: list, address_form) -> HttpResponse:
    carrier = form["carrier"].value() or Carrier.DHL
    totals = services.order_totals(lines=lines, carrier=str(carrier))
    carriers = [(value, label, app_settings.SHIPPING_COSTS[value]) for value, label in Carrier.choices]
    costs = {value: {"label": str(label), "cost": str(cost)} for value, label, cost in carriers}
    return render(
        request,
        "shop/checkout.html",
        {
            "form": form,
            "address_form": address_form,
            "lines": lines,
            "subtotal": totals.subtotal,
            "totals": totals,
            "carriers": carriers,
            "shipping_costs": costs,
            "page_expired": PAGE_EXPIRED,
        },
    )


def _address_initial(request: HttpRequest) -> dict:
    return {"country": request.user.country, "full_name": request.user.get_full_name(), "kind": "shipping"}


_CHOICES = ("shipping_address", "billing_address", "carrier", "payment_token", "expected_subtotal", "checkout_key")


def _posted_choices(request: HttpRequest) -> dict:
    return {name: request.POST.get(name) for name in _CHOICES if request.POST.get(name)}


def _posted_address(request: HttpRequest) -> dict:
    prefix = "address-"
    return {key.removeprefix(prefix): value for key, value in request.POST.items() if key.startswith(prefix)}


@login_required
def checkout_address(request: HttpRequest) -> HttpResponse:
    form = CheckoutAddressForm(request.POST or None, initial=_address_initial(request))
    if request.method == "POST" and form.is_valid():
        account_services.save_address(user=request.user, address=form.save(commit=False))
        messages.success(request, "Address added to your address book.")
        return redirect("shop:checkout")
    return render(request, "shop/checkout_address.html", {"form": form})


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    orders = (
        Order.objects.filter(user=request.user)
        .annotate(item_count=Count("lines"))
        .only("number", "placed_at", "status", "total", "currency")
        .order_by("-placed_at", "-id")
    )
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "shop/order_list.html", {"page_obj": page, "orders": page.object_list})


@login_required
def order_detail(request: HttpRequest, number: str, placed: bool = False) -> HttpResponse:
    order = get_object_or_404(
        Order.objects.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")), "shipments"),
        number=number,
        user=request.user,
    )
    return render(request, "shop/order_detail.html", {"order": order, "placed": placed})


# --- customer service --------------------------------------------------------------------------------------


def _client_fingerprint(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    ip = request.META.get("REMOTE_ADDR", "")
    return "ip:" + hashlib.sha256(ip.encode()).hexdigest()[:24]


def _contact_allowed(request: HttpRequest) -> bool:
    limit, window = app_settings.CONTACT_RATE_LIMIT
    return throttle.allow("shop-contact", _client_fingerprint(request), limit=limit, window_seconds=window)


def _contact_attempt_allowed(request: HttpRequest) -> bool:
    """Every post counts, before the form is checked: the checks cost a bounded amount of work per client."""
    limit, window = app_settings.CONTACT_ATTEMPT_LIMIT
    return throttle.allow("shop-contact-attempt", _client_fingerprint(request), limit=limit, window_seconds=window)


@guest_age_screen
def contact(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.get_full_name(), "email": request.user.email}
    if request.method == "POST" and not _contact_attempt_allowed(request):
        messages.error(request, "You have sent the contact form many times in a short time. Please try again later.")
        return render(request, "shop/contact.html", {"form": ContactForm(initial=initial)}, status=429)
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if not _contact_allowed(request):
            messages.error(request, "You have sent several messages recently. Please wait an hour and try again.")
            return render(request, "shop/contact.html", {"form": form}, status=429)
        services.open_ticket(user=request.user, **form.cleaned_data)
        return redirect("shop:contact_thanks")
    return render(request, "shop/contact.html", {"form": form})


def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "shop/contact_thanks.html")


# --- contests ----------------------------------------------------------------------------------------------


def contest_list(request: HttpRequest) -> HttpResponse:
    return render(request, "shop/contest_list.html", {"contests": Contest.objects.all()[:50]})


def _contest_attempt_allowed(request: HttpRequest) -> bool:
    limit, window = app_settings.CONTEST_ATTEMPT_LIMIT
    return throttle.allow("shop-contest-attempt", _client_fingerprint(request), limit=limit, window_seconds=window)


@guest_age_screen
def contest_detail(request: HttpRequest, slug: str) -> HttpResponse:
    contest = get_object_or_404(Contest, slug=slug)
    if request.method == "POST" and not _contest_attempt_allowed(request):
        messages.error(request, "You have sent several entries in a short time. Please try again later.")
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
        messages.success(request, "You are entered. Good luck! We will email you only if you win.")
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
