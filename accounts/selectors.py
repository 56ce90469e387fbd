"""Reads that carry a rule of the accounts app."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from .models import User


def address_has_owner(email: str) -> bool:
    """An address belongs to an account once it is that account's login (User.email) or a confirmed address.

    A pending, unconfirmed change to someone else's address (ACCOUNT_CHANGE_EMAIL keeps it as an unverified row)
    proves nothing: it must never stop the address's real owner from signing up."""
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True).exists()
    )
