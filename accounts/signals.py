"""Wiring only: allauth's address signals into accounts.services."""

from allauth.account.signals import email_changed, email_confirmed
from django.dispatch import receiver

from . import services


@receiver(email_confirmed, dispatch_uid="accounts.confirmed_email")
def on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    services.remember_confirmed_email(user=email_address.user, email=email_address.email)


@receiver(email_changed, dispatch_uid="accounts.email_changed")
def on_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs) -> None:
    user.refresh_from_db(fields=["email"])
    if from_email_address is not None and from_email_address.verified:
        # the address it replaces was the person's (confirmed at signup, by staff or before this ledger existed):
        # its data stays theirs, for export and erasure
        services.remember_confirmed_email(user=user, email=from_email_address.email)
    services.carry_email_change(user=user, request=request)
