"""How the ledgers name a person, and the one spelling of an email address every app stores and hashes."""

from __future__ import annotations


def user_subject(user_id: int | str) -> str:
    """The ConsentEvent / DataRequest subject of an account: `user:<pk>` (never an email address)."""
    return f"user:{user_id}"


def normalise_email(email: str) -> str:
    """Stripped and lower-cased: the one spelling of an address we store and hash."""
    return email.strip().lower()
