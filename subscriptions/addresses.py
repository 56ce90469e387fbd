"""How subscriptions hashes an email address (spelled by privacy.subjects.normalise_email)."""

from __future__ import annotations

from django.utils.crypto import salted_hmac

from privacy.subjects import normalise_email

from .app_settings import app_settings


def email_hash(email: str) -> str:
    """A keyed hash of the normalised address, for the suppression list and the sent-email log: they find a
    person's rows without ever holding the address in clear."""
    return salted_hmac(
        "subscriptions.email_hash", normalise_email(email), secret=app_settings.SUPPRESSION_KEY, algorithm="sha256"
    ).hexdigest()
