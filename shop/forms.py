from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import AddressForm
from accounts.models import Address
from accounts.selectors import addresses_of
from accounts.validators import LengthFirstMixin, validate_plain_text

from .models import Carrier, ContestEntry
from .payments import TEST_TOKENS, is_test_token, looks_like_card_number
from .services import PAGE_EXPIRED

CARD_NUMBER_MESSAGE = _(
    "That looks like a card number. For your safety we never accept card numbers here: "
    "please remove it (payment cards are entered only in the payment box at checkout)."
)
EXPIRED = dict.fromkeys(("required", "invalid", "max_length", "max_digits", "max_decimal_places"), PAGE_EXPIRED)
NOT_SCANNED = {"csrfmiddlewaretoken", "checkout_key"}
# Longer values are refused by every field's max_length (and never stored): scanning them would only cost time.
SCAN_LIMIT = 5000


class RejectCardNumbersMixin:
    """Refuse the whole submission when any submitted field holds something that looks like a card number,
    so a number pasted in the wrong box is never stored, logged or emailed."""

    def clean(self):
        cleaned = super().clean()
        items = self.data.lists() if hasattr(self.data, "lists") else self.data.items()
        for name, values in items:
            values = values if isinstance(values, list | tuple) else [values]
            if name in NOT_SCANNED:
                continue
            if any(isinstance(v, str) and len(v) <= SCAN_LIMIT and looks_like_card_number(v) for v in values):
                raise ValidationError(CARD_NUMBER_MESSAGE, code="card_number")
        return cleaned


class CheckoutForm(RejectCardNumbersMixin, LengthFirstMixin, forms.Form):
    shipping_address = forms.ModelChoiceField(
        queryset=Address.objects.none(),
        label=_("Shipping address"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose where we deliver your order.")},
    )
    billing_address = forms.ModelChoiceField(
        queryset=Address.objects.none(),
        label=_("Billing address"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the address on your card statement (the billing address).")},
    )
    carrier = forms.ChoiceField(
        choices=Carrier.choices,
        label=_("Carrier"),
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Please choose DHL or UPS."),
            "required": _("Choose DHL or UPS for delivery."),
        },
    )
    payment_token = forms.CharField(
        max_length=64,
        label=_("Test card"),
        widget=forms.RadioSelect(choices=list(TEST_TOKENS.items())),
        error_messages={"required": _("Please enter a card or choose a test card.")},
    )
    card_brand = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput, error_messages=EXPIRED)
    card_last4 = forms.RegexField(regex=r"^[0-9]{4}$", required=False, widget=forms.HiddenInput, error_messages=EXPIRED)
    expected_subtotal = forms.DecimalField(
        max_digits=10, decimal_places=2, widget=forms.HiddenInput, error_messages=EXPIRED
    )
    checkout_key = forms.UUIDField(widget=forms.HiddenInput, error_messages=EXPIRED)

    def __init__(self, *args, user, new_address: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        addresses = addresses_of(user)
        if new_address:  # the address is typed in the checkout's own address fields instead
            self.fields["shipping_address"].required = self.fields["billing_address"].required = False
        self.fields["shipping_address"].queryset = addresses
        self.fields["billing_address"].queryset = addresses
        self.fields["shipping_address"].error_messages["invalid_choice"] = _("Please choose one of your addresses.")
        self.fields["billing_address"].error_messages["invalid_choice"] = _("Please choose one of your addresses.")

    def clean_payment_token(self) -> str:
        token = self.cleaned_data["payment_token"]
        if not is_test_token(token):
            raise ValidationError(_("The payment details were not accepted. Please enter your card again."))
        return token


class CheckoutAddressForm(RejectCardNumbersMixin, AddressForm):
    """An address added during checkout. Inline (typed in the checkout form itself by a shopper with an empty
    address book) it is a delivery address, and the first of its kind is the default anyway."""

    def __init__(self, *args, inline: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if inline:
            self.instance.kind = Address.Kind.SHIPPING
            del self.fields["kind"], self.fields["is_default"]


class ContactForm(RejectCardNumbersMixin, LengthFirstMixin, forms.Form):
    # Name and subject go into the reply's headers and the staff screens: no line breaks or control characters.
    name = forms.CharField(label=_("Name"), max_length=120, validators=[validate_plain_text])
    email = forms.EmailField(label=_("Email"), max_length=254)
    order_number = forms.CharField(
        label=_("Order number"),
        max_length=24,
        required=False,
        help_text=_("Optional, e.g. SPC-261125-1A2B3C."),
        validators=[validate_plain_text],
    )
    subject = forms.CharField(label=_("Subject"), max_length=150, validators=[validate_plain_text])
    message = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))


class ContestEntryForm(RejectCardNumbersMixin, LengthFirstMixin, forms.ModelForm):
    class Meta:
        model = ContestEntry
        fields = ["first_name", "city", "email", "list_publicly"]
        help_texts = {
            "email": _("Used only to tell you if you win. Entering subscribes you to nothing."),
            "list_publicly": _("If you win, show your first name and city on the public winners page."),
        }


class ShipOrderForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=Carrier.choices)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)
