from __future__ import annotations

import datetime

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.formfields import PhoneNumberField

from subscriptions.selectors import shop_today

from . import selectors
from .app_settings import app_settings
from .models import Address, AgeBand, Gender, User
from .validators import LengthFirstMixin, validate_person_name, validate_plain_text

PHONE_HELP = _("International format, for example +44 20 7946 0958. Only used about your deliveries.")


def age_on(date_of_birth: datetime.date, today: datetime.date) -> int:
    had_birthday = (today.month, today.day) >= (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - (0 if had_birthday else 1)


class DateInputWidget(forms.MultiWidget):
    """GOV.UK date input: three labelled boxes (Day, Month, Year) in one fieldset, in the order people write dates
    in the shop's countries; no calendar picker and no locale-dependent mm/dd/yyyy."""

    template_name = "accounts/widgets/date_input.html"
    parts = (
        ("day", _("Day"), 2, "bday-day"),
        ("month", _("Month"), 2, "bday-month"),
        ("year", _("Year"), 4, "bday-year"),
    )

    def __init__(self, attrs=None) -> None:
        widgets = {
            name: forms.TextInput(
                attrs={"inputmode": "numeric", "maxlength": str(size), "size": str(size), "autocomplete": autocomplete}
            )
            for name, _label, size, autocomplete in self.parts
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, (_name, label, size, _autocomplete) in zip(
            context["widget"]["subwidgets"], self.parts, strict=True
        ):
            subwidget["label"] = label
            subwidget["size_class"] = f"width-{size}"
        return context


class DateOfBirthField(forms.MultiValueField):
    widget = DateInputWidget

    default_error_messages = {
        "required": _("Enter your date of birth."),
        "incomplete": _("Your date of birth must include a day, a month and a year."),
        "invalid": _("Your date of birth must be a real date, for example 27 3 1990."),
    }

    def __init__(self, **kwargs) -> None:
        part = forms.CharField(max_length=4, error_messages={"max_length": self.default_error_messages["invalid"]})
        super().__init__(fields=(part, part, part), require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        if not all(data_list):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            day, month, year = (int(part) for part in data_list)
            if year < 1000:
                raise ValueError
            return datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class AgeScreenForm(forms.Form):
    """A neutral question: nothing on the page hints at which answers are accepted."""

    date_of_birth = DateOfBirthField(
        label=_("Date of birth"),
        help_text=_("For example, 27 3 1990. We use it once to set up your account and don't keep it."),
    )

    GUEST_FORM = "guest_form"

    def __init__(self, *args, purpose: str = "signup", **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if purpose == self.GUEST_FORM:
            self.fields["date_of_birth"].help_text = _("For example, 27 3 1990. We use it once and don't keep it.")

    def clean_date_of_birth(self) -> datetime.date:
        value = self.cleaned_data["date_of_birth"]
        today = shop_today()
        if value > today:
            raise forms.ValidationError(_("A date of birth can't be in the future."), code="future")
        if age_on(value, today) > 120:
            raise forms.ValidationError(_("Please check the year of this date."), code="too_old")
        return value

    def age_band(self) -> AgeBand | None:
        """None means under the minimum age: the caller refuses and stores nothing."""
        age = age_on(self.cleaned_data["date_of_birth"], shop_today())
        if age < app_settings.MINIMUM_AGE:
            return None
        return AgeBand.ADULT if age >= app_settings.ADULT_AGE else AgeBand.TEEN_SUPERVISED


class SignupForm(LengthFirstMixin, AllauthSignupForm):
    """allauth's signup form plus our profile fields. The age band comes from the age screen (the view passes it)."""

    first_name = forms.CharField(max_length=80, validators=[validate_person_name], label=_("First name"))
    last_name = forms.CharField(max_length=80, validators=[validate_person_name], label=_("Last name"))
    phone = PhoneNumberField(required=False, label=_("Phone (optional)"), help_text=PHONE_HELP)
    country = CountryField(blank_label=_("Choose a country")).formfield(label=_("Country of residence"))
    gender = forms.ChoiceField(
        choices=[("", _("Prefer not to answer")), *Gender.choices], required=False, label=_("Gender (optional)")
    )
    supervised = forms.BooleanField(
        required=False,
        label=_("A parent or guardian supervises my use of this site."),
    )
    newsletter = forms.BooleanField(
        required=False,
        label=_("Send me the newsletter and special offers (twice a week; change or stop any time)."),
    )
    brand_alerts = forms.BooleanField(required=False, label=_("Tell me about new brands and product styles."))

    field_order = [
        "first_name",
        "last_name",
        "email",
        "password1",
        "password2",
        "phone",
        "country",
        "gender",
        "supervised",
        "newsletter",
        "brand_alerts",
    ]

    def __init__(self, *args, age_band: str | None = None, **kwargs) -> None:
        self.age_band = age_band
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.max_length = User._meta.get_field("email").max_length
        email.widget.attrs["maxlength"] = str(email.max_length)
        email.validators.append(MaxLengthValidator(email.max_length))
        if self.age_band != AgeBand.TEEN_SUPERVISED:
            del self.fields["supervised"]
        else:
            self.fields["supervised"].required = True
            self.fields["supervised"].error_messages["required"] = _(
                "Please ask a parent or guardian to supervise your account, then tick this box."
            )
        self.order_fields(self.field_order)

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.age_band not in AgeBand.values:
            raise forms.ValidationError(_("Please answer the date of birth question first."), code="no_age_band")
        return cleaned

    def validate_unique_email(self, value: str) -> str:
        """allauth counts any row with the address, even another account's unconfirmed pending change; only an
        owner (selectors.address_has_owner) makes it "already exists", so nobody can squat an address."""
        email = super().validate_unique_email(value)
        if self.account_already_exists and not selectors.address_has_owner(email):
            self.account_already_exists = False
        return email

    def try_save(self, request):
        """Equal work whether or not the address already has an account (ACCOUNT_PREVENT_ENUMERATION keeps the
        page the same; this keeps the time the same): a known address gets its password hashed too, like a new
        account's, and thrown away. The hash is most of a signup's time, so skipping it would tell them apart."""
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or None)
        return super().try_save(request)


def language_choices() -> list[tuple[str, str]]:
    """settings.LANGUAGES, each shown by its own name (English, Français, Deutsch), whatever the page's language."""
    return [
        (code, translation.get_language_info(code)["name_local"].capitalize()) for code, _name in settings.LANGUAGES
    ]


class LanguageSelect(forms.Select):
    """Each language's name is written in that language: the option says so (lang), for screen readers."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["lang"] = value
        return option


class ProfileForm(LengthFirstMixin, forms.ModelForm):
    first_name = forms.CharField(max_length=80, validators=[validate_person_name], label=_("First name"))
    last_name = forms.CharField(max_length=80, validators=[validate_person_name], label=_("Last name"))
    phone = PhoneNumberField(required=False, label=_("Phone"), help_text=PHONE_HELP)
    gender = forms.ChoiceField(
        choices=[("", _("Prefer not to answer")), *Gender.choices], required=False, label=_("Gender")
    )
    # Not a model field of the form: accounts.services.set_account_language saves it (the account's newsletter
    # address follows). Missing from a POST: unchanged.
    language = forms.ChoiceField(
        choices=language_choices,
        widget=LanguageSelect,
        required=False,
        label=_("Language"),
        help_text=_("The language of your pages and of every email we send you."),
        error_messages={"invalid_choice": _("Choose one of the languages in the list.")},
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "country", "gender"]
        labels = {"country": _("Country of residence")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        saved = self.instance.language if self.instance.language in dict(settings.LANGUAGES) else ""
        self.fields["language"].initial = saved or translation.get_language()


class AddressForm(LengthFirstMixin, forms.ModelForm):
    kind = forms.ChoiceField(
        label=_("Use this address for"),
        choices=[
            ("shipping", _("Deliveries (shipping address)")),
            ("billing", _("My card statements (billing address)")),
        ],
        widget=forms.RadioSelect,
        initial="shipping",
        error_messages={"required": _("Choose what this address is for.")},
    )
    phone = PhoneNumberField(
        required=False,
        label=_("Phone"),
        help_text=PHONE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        error_messages={"invalid": _("Enter a phone number in international format, like +44 20 7946 0958.")},
    )

    class Meta:
        model = Address
        fields = [
            "kind",
            "full_name",
            "line1",
            "line2",
            "city",
            "region",
            "postal_code",
            "country",
            "phone",
            "is_default",
        ]
        labels = {
            "full_name": _("Full name"),
            "line1": _("Address line 1"),
            "line2": _("Address line 2 (optional)"),
            "city": _("Town or city"),
            "region": _("State or region (optional)"),
            "postal_code": _("Postcode"),
            "country": _("Country"),
            "is_default": _("Make this my default address of this type"),
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "region": forms.TextInput(attrs={"autocomplete": "address-level1"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "size": "10"}),
        }
        error_messages = {
            "full_name": {"required": _("Enter the full name of the person the parcel is for.")},
            "line1": {"required": _("Enter the first line of the address, for example the number and street.")},
            "city": {"required": _("Enter the town or city.")},
            "postal_code": {"required": _("Enter the postcode.")},
            "country": {
                "required": _("Choose the country."),
                "invalid_choice": _("Choose a country from the list."),
            },
        }

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        country.choices = [("", _("Choose a country")), *[choice for choice in country.choices if choice[0]]]
        country.widget.attrs["autocomplete"] = "country"
        self.fields["full_name"].validators.append(validate_person_name)
        for name in ["line1", "line2", "city", "region", "postal_code"]:
            self.fields[name].validators.append(validate_plain_text)
            self.fields[name].validators.append(_no_markup)


def _no_markup(value: str) -> None:
    if "<" in value or ">" in value:
        raise forms.ValidationError(_("Please remove the < and > characters."), code="markup")
