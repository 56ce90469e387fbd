import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .cookies import OPTIONAL_CATEGORIES, CookieCategory


class CookieChoiceForm(forms.Form):
    """The banner's three buttons and the settings page's checkboxes, all posted to one URL."""

    ACCEPT_ALL = "accept_all"
    REJECT_ALL = "reject_all"
    CUSTOMISE = "customise"
    SAVE = "save"

    choice = forms.ChoiceField(
        choices=[
            (ACCEPT_ALL, _("Accept all")),
            (REJECT_ALL, _("Reject all")),
            (CUSTOMISE, _("Choose")),
            (SAVE, _("Save")),
        ]
    )
    categories = forms.MultipleChoiceField(
        choices=[(category, CookieCategory(category).label) for category in OPTIONAL_CATEGORIES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    next = forms.CharField(required=False, max_length=2000)

    def allowed_categories(self) -> list[str]:
        choice = self.cleaned_data["choice"]
        if choice == self.ACCEPT_ALL:
            return list(OPTIONAL_CATEGORIES)
        if choice == self.REJECT_ALL:
            return []
        return list(self.cleaned_data["categories"])


class AdSharingForm(forms.Form):
    share = forms.TypedChoiceField(
        choices=[
            ("no", _("Don't share my data for tailored advertising (the default)")),
            ("yes", _("Share a keyed hash of my email address with the advertising partner")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label=_("Tailored advertising"),
    )


class DeleteAccountForm(forms.Form):
    """Re-authentication before erasure: the account's password and an explicit confirmation."""

    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and my data will be erased and that this cannot be undone."),
        required=True,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if self.user is None or not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not right."))
        return password


class PolicyAcknowledgeForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, max_length=32)


class GuestRequestForm(forms.Form):
    """/privacy/request/: an address and what to do with the data held under it."""

    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the correct format, like name@example.com."),
        },
    )
    kind = forms.ChoiceField(
        label=_("What would you like?"),
        choices=[("export", _("Download my data")), ("erasure", _("Delete my data"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose download or delete."),
            "invalid_choice": _("Choose download or delete."),
        },
    )


class GuestConfirmForm(forms.Form):
    """The emailed link's button; an export picks its format (the link works once)."""

    format = forms.ChoiceField(choices=[("page", "page"), ("json", "json")], required=False)


_ADDRESS_IN_TEXT = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


class StaffGuestRequestForm(forms.Form):
    """Admin: a request received by letter, email or phone for an address without an account. The address is used
    once (to find the data and send the confirmation link) and never saved on the DataRequest."""

    email = forms.EmailField(
        label=_("The person's email address"),
        max_length=254,
        help_text=_("Used once to send the confirmation link; the request keeps only a keyed hash of it."),
        error_messages={
            "required": _("Enter the email address the person asked about."),
            "invalid": _("Enter an email address in the correct format, like name@example.com."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language of the email"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=False,
        help_text=_("The language the person wrote or spoke in: the link is emailed in it."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the request came in (letter, phone) and anything asked. No email addresses."),
    )

    def clean_notes(self) -> str:
        notes = self.cleaned_data["notes"].strip()
        if _ADDRESS_IN_TEXT.search(notes):
            raise forms.ValidationError(_("Remove the email address from the notes: the request must not store one."))
        return notes
