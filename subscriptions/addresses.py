"""How subscriptions spells and hashes an email address."""

from __future__ import annotations

from django.utils.crypto import salted_hmac

from .app_settings import app_settings


def normalise_email(email: str) -> str:
    """The one spelling of an address we store: stripped and lower-cased (Subscriber.email has a constraint on it)."""
    return email.strip().lower()


def email_hash(email: str) -> str:
    """A keyed hash of the normalised address, for the suppression list and the sent-email log: they find a
    person's rows without ever holding the address in clear."""
    return salted_hmac(
        "subscriptions.email_hash", normalise_email(email), secret=app_settings.SUPPRESSION_KEY, algorithm="sha256"
    ).hexdigest()
