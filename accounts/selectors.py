"""Reads of accounts' data for the apps above it (shop's checkout, reviews' form prefill)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Address


def addresses_of(user) -> QuerySet[Address]:
    """The account's address book."""
    return Address.objects.filter(user=user)


def preferred_address(user) -> Address | None:
    """The address to prefill with: the default shipping address first, then the newest."""
    return addresses_of(user).order_by("-is_default", "-kind", "-created_at").first()


def address_has_owner(email: str) -> bool:
    """An address belongs to an account once it is that account's login (User.email) or a confirmed address.

    A pending, unconfirmed change to someone else's address (ACCOUNT_CHANGE_EMAIL keeps it as an unverified row)
    proves nothing: it must never stop the address's real owner from signing up."""
    from allauth.account.models import EmailAddress

    from .models import User

    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True).exists()
    )


def has_confirmed_address(user, email: str) -> bool:
    """True when `email` is one of this account's confirmed addresses (allauth verified it by an emailed link)."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email.strip(), verified=True).exists()
