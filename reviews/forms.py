from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.validators import LengthFirstMixin

from . import scrubber
from .models import Review

_MARKUP = re.compile(r"<\s*/?\s*[a-z!?]", re.IGNORECASE)
_ALLOWED_INVISIBLE = set("\t\r\n\u200d")  # line breaks in the text, the joiner inside emoji


def validate_review_text(value: str) -> None:
    """Plain text only: no markup, no control or invisible characters (they hide text or break pages)."""
    if _MARKUP.search(value):
        raise ValidationError(
            _("Please remove the HTML tags (text between < and >): reviews are plain text."), code="markup"
        )
    if any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co"} for c in value if c not in _ALLOWED_INVISIBLE):
        raise ValidationError(_("Please remove the invisible or control characters."), code="control_characters")


def validate_no_contact_details(value: str) -> None:
    """For fields shown publicly as they are (name, city): an email address or phone number has no place there."""
    kinds = {finding.kind for finding in scrubber.find_personal_details(value)}
    if kinds & {scrubber.DetailKind.EMAIL, scrubber.DetailKind.PHONE}:
        raise ValidationError(
            _("This is shown publicly: please leave out email addresses and phone numbers."), code="contact_details"
        )


class QuickSelect(forms.Select):
    """A <select> rendered in Python rather than one template per option.

    The country list has 250 options: rendering each through Django's option template took half of the product
    page's render time. Same markup, same attributes (id, required, aria-describedby, aria-invalid).
    """

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> str:
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            ((v, mark_safe(" selected") if str(v) in selected else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>\n{}\n</select>", flatatt(final_attrs), options)


RATING_CHOICES = [
    (5, _("5 stars: excellent")),
    (4, _("4 stars: good")),
    (3, _("3 stars: average")),
    (2, _("2 stars: poor")),
    (1, _("1 star: bad")),
]


class ReviewForm(LengthFirstMixin, forms.Form):
    """A review as the shopper writes it. Title and text are checked for personal details before submitting."""

    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose a rating from 1 to 5 stars."),
            "invalid_choice": _("Please choose a rating from 1 to 5 stars."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=Review._meta.get_field("title").max_length,
        validators=[validate_review_text],
        error_messages={"required": _("Please give your review a title.")},
    )
    body = forms.CharField(
        label=_("Your review"),
        max_length=Review._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[validate_review_text],
        error_messages={"required": _("Please write your review.")},
    )
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=Review._meta.get_field("display_name").max_length,
        help_text=_("Shown publicly with your review."),
        validators=[validate_review_text, validate_no_contact_details],
        error_messages={"required": _("Please tell us the name to show with your review.")},
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_(
            "Kept private: never shown on the site. It lets you edit your review later and shows "
            "“verified purchase” when it matches a shop account that bought this product."
        ),
        error_messages={"required": _("Please enter your email address (it stays private).")},
    )
    city = forms.CharField(
        label=_("City"),
        max_length=Review._meta.get_field("city").max_length,
        help_text=_("Shown publicly with your review."),
        validators=[validate_review_text, validate_no_contact_details],
        error_messages={"required": _("Please enter your city: it is shown with your review.")},
    )
    country = CountryField(blank_label=_("Choose your country")).formfield(
        widget=QuickSelect,
        label=_("Country"),
        help_text=_("Shown publicly with your review."),
        error_messages={
            "required": _("Please choose your country: it is shown with your review."),
            "invalid_choice": _("Please choose your country from the list."),
        },
    )
    submit_anyway = forms.BooleanField(
        required=False,
        label=_("Submit anyway: I have checked my review and want to send it as it is."),
    )

    PERSONAL_DETAILS_CODE = "personal_details"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "review-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.personal_details: list[scrubber.DetailKind] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.personal_details = scrubber.personal_detail_kinds(cleaned.get("title", ""), cleaned.get("body", ""))
        if self.personal_details and not cleaned.get("submit_anyway"):
            raise ValidationError(
                _(
                    "Your review seems to contain %(details)s. You can write a helpful review without personal "
                    "details: please edit your text, or tick “Submit anyway” below. Email addresses and phone "
                    "numbers are removed when your review is published."
                ),
                code=self.PERSONAL_DETAILS_CODE,
                params={"details": _join(self.personal_details)},
            )
        return cleaned

    @property
    def warns_about_personal_details(self) -> bool:
        return self.has_error(forms.forms.NON_FIELD_ERRORS, code=self.PERSONAL_DETAILS_CODE)

    def review_data(self) -> dict[str, Any]:
        """The cleaned fields, as `services.submit_review` takes them."""
        fields = ["rating", "title", "body", "display_name", "email", "city", "country"]
        return {name: self.cleaned_data[name] for name in fields}


def _join(kinds: list[scrubber.DetailKind]) -> str:
    words = [str(scrubber.DETAIL_WORDS[kind]) for kind in kinds]
    if len(words) == 1:
        return words[0]
    return gettext("%(list)s or %(last)s") % {"list": ", ".join(words[:-1]), "last": words[-1]}
