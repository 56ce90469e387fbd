import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

FORBIDDEN_NAME_CHARACTERS = set('<>{}[]\\/|@#$%^*=_~`"')


def validate_plain_text(value: str) -> None:
    """Refuse control and format characters (they hide text or break emails and exports)."""
    if any(unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co"} for char in value if char not in "\t"):
        raise ValidationError(_("Please remove the invisible or control characters."), code="control_characters")


def validate_person_name(value: str) -> None:
    """A name is letters, spaces, hyphens, apostrophes and dots: no markup, no symbols, no digits."""
    validate_plain_text(value)
    if any(char in FORBIDDEN_NAME_CHARACTERS or char.isdigit() for char in value):
        raise ValidationError(
            _("Please use only letters, spaces, hyphens, apostrophes and dots in a name."), code="invalid_name"
        )


class LengthFirstMixin:
    """Form mixin: a field's own validators run only on a value within its max_length.

    Django runs every validator of a field and reports every error, so a 200,000-character name went through the
    character-by-character and pattern checks after max_length had already refused it (two such POSTs held two
    web workers for 30 s). With this mixin the max_length error is the only one for an overlong value, and no
    check ever sees more than max_length characters.
    """

    def full_clean(self) -> None:
        # Here rather than in __init__: forms add validators in their own __init__, after the mixin's would run.
        for field in self.fields.values():
            limit = getattr(field, "max_length", None)
            if limit is None:
                continue
            cheap = [v for v in field.validators if isinstance(v, (*CHEAP_VALIDATORS, WithinLength))]
            others = [v for v in field.validators if not isinstance(v, (*CHEAP_VALIDATORS, WithinLength))]
            if others:
                field.validators = [*cheap, WithinLength(limit, others)]
        super().full_clean()


CHEAP_VALIDATORS = (MaxLengthValidator, MinLengthValidator, ProhibitNullCharactersValidator)


class WithinLength:
    """Run `validators` (collecting every error, as Django does) only when the value fits in `limit`."""

    def __init__(self, limit: int, validators: list) -> None:
        self.limit, self.validators = limit, validators

    def __call__(self, value) -> None:
        if value is None or len(str(value)) > self.limit:
            return  # MaxLengthValidator reports it
        errors = []
        for validator in self.validators:
            try:
                validator(value)
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
