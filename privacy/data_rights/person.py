"""Whom a data right is exercised for: an account, or a guest known only by an email address.

The registry's exporters and erasers take `user`; those registered with guest=True also take a `Person` with no
account (a newsletter-only subscriber, a guest reviewer, a contest entrant, someone who wrote to support). They find
rows with `person_emails(subject)` / `any_email_of(subject)` and `account_of(subject)`, which answer for both, so
each app keeps one function per section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.crypto import salted_hmac

from .. import registry
from ..subjects import normalise_email


@dataclass(frozen=True)
class Person:
    """A guest: the address they proved by opening our emailed link (or staff verified), and no account."""

    emails: tuple[str, ...]
    user: Any = None

    @classmethod
    def from_email(cls, email: str) -> Person:
        return cls(emails=(normalise_email(email),))

    @property
    def subject(self) -> str:
        """The DataRequest / ConsentEvent subject: a keyed hash of the address, never the address."""
        return guest_subject(self.emails[0])


def guest_subject(email: str) -> str:
    return "email:" + salted_hmac("privacy.guest_subject", normalise_email(email), algorithm="sha256").hexdigest()[:40]


def account_of(subject: Any) -> Any:
    """The account a data right is exercised for, or None for a guest Person."""
    return subject.user if isinstance(subject, Person) else subject


def account_for_email(email: str) -> Any:
    """The account that holds or once proved this address (registry.register_account_finder: accounts answers from
    its confirmed addresses), else one whose email field is the address; None when no account has it."""
    email = normalise_email(email)
    for finder in registry.account_finders():
        found = finder(email)
        if found is not None:
            return found
    user_model = get_user_model()
    field = user_model.get_email_field_name()
    return user_model._default_manager.filter(**{f"{field}__iexact": email}).first()
