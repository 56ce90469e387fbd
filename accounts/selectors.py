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
