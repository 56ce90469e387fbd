from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from accounts.forms import AddressForm
from accounts.models import Address
from accounts.selectors import addresses_of

from .models import Carrier, ContestEntry
from .payments import TEST_TOKENS, is_test_token, looks_like_card_number

CARD_NUMBER_MESSAGE = (
    "That looks like a card number. For your safety we never accept card numbers here: "
    "please remove it (payment cards are entered only in the payment box at checkout)."
)
PAGE_EXPIRED = "This checkout page was changed or has expired. Please review your order and place it again."
EXPIRED = dict.fromkeys(("required", "invalid", "max_length", "max_digits", "max_decimal_places"), PAGE_EXPIRED)
NOT_SCANNED = {"csrfmiddlewaretoken", "checkout_key"}


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
            if any(isinstance(v, str) and looks_like_card_number(v) for v in values):
                raise ValidationError(CARD_NUMBER_MESSAGE, code="card_number")
        return cleaned


class CheckoutForm(RejectCardNumbersMixin, forms.Form):
    shipping_address = forms.ModelChoiceField(
        queryset=Address.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    billing_address = forms.ModelChoiceField(
        queryset=Address.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    carrier = forms.ChoiceField(
        choices=Carrier.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Please choose DHL or UPS."},
    )
    payment_token = forms.CharField(
        max_length=64,
        widget=forms.RadioSelect(choices=list(TEST_TOKENS.items())),
        error_messages={"required": "Please enter a card or choose a test card."},
    )
    card_brand = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput, error_messages=EXPIRED)
    card_last4 = forms.RegexField(regex=r"^[0-9]{4}$", required=False, widget=forms.HiddenInput, error_messages=EXPIRED)
    expected_subtotal = forms.DecimalField(
        max_digits=10, decimal_places=2, widget=forms.HiddenInput, error_messages=EXPIRED
    )
    checkout_key = forms.UUIDField(widget=forms.HiddenInput, error_messages=EXPIRED)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        addresses = addresses_of(user)
        self.fields["shipping_address"].queryset = addresses
        self.fields["billing_address"].queryset = addresses
        self.fields["shipping_address"].error_messages["invalid_choice"] = "Please choose one of your addresses."
        self.fields["billing_address"].error_messages["invalid_choice"] = "Please choose one of your addresses."
        self.fields["payment_token"].label = "Test card"

    def clean_payment_token(self) -> str:
        token = self.cleaned_data["payment_token"]
        if not is_test_token(token):
            raise ValidationError("The payment details were not accepted. Please enter your card again.")
        return token


class CheckoutAddressForm(RejectCardNumbersMixin, AddressForm):
    pass


class ContactForm(RejectCardNumbersMixin, forms.Form):
    name = forms.CharField(max_length=120)
    email = forms.EmailField(max_length=254)
    order_number = forms.CharField(max_length=24, required=False, help_text="Optional, e.g. SPC-261125-1A2B3C.")
    subject = forms.CharField(max_length=150)
    message = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))


class ContestEntryForm(RejectCardNumbersMixin, forms.ModelForm):
    class Meta:
        model = ContestEntry
        fields = ["first_name", "city", "email", "list_publicly"]
        help_texts = {
            "email": "Used only to tell you if you win. Entering subscribes you to nothing.",
            "list_publicly": "If you win, show your first name and city on the public winners page.",
        }


class ShipOrderForm(forms.Form):
    carrier = forms.ChoiceField(choices=Carrier.choices)
    tracking_number = forms.CharField(max_length=40)
