"""Checkout: the one page that places an order, and the address added on the way."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import services as account_services
from privacy import services as access_log
from privacy.models import AccessLog

from .. import services
from ..app_settings import app_settings
from ..cart import Cart
from ..forms import CheckoutAddressForm, CheckoutForm
from ..models import Carrier
from ..money import format_money


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
            try:
                result = services.submit_checkout(
                    user=request.user,
                    lines=lines,
                    cart_key=cart.checkout_key,
                    checkout_key=data["checkout_key"],
                    expected_subtotal=data["expected_subtotal"],
                    shipping_address=data.get("shipping_address"),
                    billing_address=data.get("billing_address"),
                    new_address=address_form.save(commit=False) if address_form is not None else None,
                    carrier=data["carrier"],
                    payment_token=data["payment_token"],
                    language=translation.get_language(),
                )
            except services.CartEmpty as error:
                messages.error(request, str(error))
                return redirect("shop:cart")
            except services.CheckoutStale as error:
                messages.error(request, str(error))
                return redirect("shop:checkout")
            except services.CheckoutError as error:
                if error.saved_address is not None:
                    # From here on the address is a choice in the address book, should the payment be declined.
                    posted = request.POST.copy()
                    posted["shipping_address"] = posted["billing_address"] = str(error.saved_address.pk)
                    form, address_form = CheckoutForm(posted, user=request.user, new_address=False), None
                    form.is_valid()
                # A declined card is shown beside the card fields (and in the summary); the rest above the form.
                field = "payment_token" if isinstance(error, services.PaymentDeclined) else None
                form.add_error(field, str(error))
            else:
                if result.placed:  # not for a double-clicked "Place order", which shows the first click's order
                    cart.clear()
                    access_log.log_event(request=request, event=AccessLog.Event.CHECKOUT, user_id=request.user.pk)
                return redirect("shop:order_placed", number=result.order.number)
    elif request.method == "POST":
        # "Update total" (shown only without JavaScript): the same page with the chosen carrier; nothing is saved.
        form = CheckoutForm(user=request.user, new_address=new_address, initial=_posted_choices(request))
        if address_form is not None:
            address_form = CheckoutAddressForm(prefix="address", inline=True, initial=_posted_address(request))
    else:
        if not lines:
            messages.error(request, services.CART_EMPTY)
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
    # The figures the script shows when another carrier is picked, written here in the page's language.
    costs = {
        value: {
            "label": str(label),
            "cost": str(cost),
            "shipping": format_money(cost),
            "total": format_money(totals.subtotal + cost),
            "announce": _("Total with %(carrier)s shipping: %(total)s")
            % {"carrier": label, "total": format_money(totals.subtotal + cost)},
        }
        for value, label, cost in carriers
    }
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
            "page_expired": services.PAGE_EXPIRED,
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
        messages.success(request, _("Address added to your address book."))
        return redirect("shop:checkout")
    return render(request, "shop/checkout_address.html", {"form": form})
