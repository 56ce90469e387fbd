import unicodedata

from django.core.exceptions import ValidationError

FORBIDDEN_NAME_CHARACTERS = set('<>{}[]\\/|@#$%^*=_~`"')


def validate_plain_text(value: str) -> None:
    """Refuse control and format characters (they hide text or break emails and exports)."""
    if any(unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co"} for char in value if char not in "\t"):
        raise ValidationError("Please remove the invisible or control characters.", code="control_characters")


def validate_person_name(value: str) -> None:
    """A name is letters, spaces, hyphens, apostrophes and dots: no markup, no symbols, no digits."""
    validate_plain_text(value)
    if any(char in FORBIDDEN_NAME_CHARACTERS or char.isdigit() for char in value):
        raise ValidationError(
            "Please use only letters, spaces, hyphens, apostrophes and dots in a name.", code="invalid_name"
        )
