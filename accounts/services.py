from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation

from outbox import services as outbox
from subscriptions.models import Topic
from subscriptions.selectors import subscriber_of
from subscriptions.services import (
    change_subscriber_email,
    confirm_account_subscriber,
    set_subscriber_language,
    subscribe_from_signup,
)

from .app_settings import app_settings
from .models import Address, ConfirmedEmail, User


def fill_signup_profile(*, user: User, data: dict[str, Any], age_band: str) -> None:
    """Copy the signup form's profile fields and the age attestation onto a new, unsaved user."""
    user.phone = data.get("phone") or ""
    user.country = data["country"]
    user.gender = data.get("gender") or ""
    user.age_band = age_band
    user.age_attested_at = timezone.now()
    user.age_attestation_version = app_settings.ATTESTATION_VERSION
    user.language = page_language()


def page_language() -> str:
    """The language the page is shown in (one of settings.LANGUAGES), or "" (not chosen: the default applies)."""
    language = translation.get_language() or ""
    return language if language in dict(settings.LANGUAGES) else ""


@transaction.atomic
def register(*, user: User, data: dict[str, Any], age_band: str, request: HttpRequest | None) -> User:
    """Create the account from the signup form: profile, age attestation and the ticked boxes, all or nothing."""
    fill_signup_profile(user=user, data=data, age_band=age_band)
    user.save()
    after_signup(user=user, data=data, request=request)
    return user


SIGNUP_TOPICS = {"newsletter": "newsletter", "brand_alerts": "new-brands-and-styles"}


def after_signup(*, user: User, data: dict[str, Any], request: HttpRequest | None) -> None:
    """The signup form's boxes become subscriptions (with their ConsentEvents) in the signup transaction.

    A guest Subscriber with the same address is taken over. The ticked topics wait for allauth's email
    confirmation (on_email_confirmed): commercial mail never goes to an unconfirmed address.
    """
    slugs = [slug for box, slug in SIGNUP_TOPICS.items() if data.get(box)]
    topics = list(Topic.objects.filter(slug__in=slugs, is_active=True))
    subscriber = subscribe_from_signup(user=user, email=user.email, topics=topics, request=request)
    if subscriber is not None and user.language:
        # the address's emails (confirmation, newsletters) in the language the account was opened in
        set_subscriber_language(subscriber=subscriber, language=user.language)


def on_email_confirmed(*, user: User) -> None:
    """The address is proven: the signup boxes' topics start, and the registration confirmation goes out."""
    from .tasks import send_welcome_email

    confirm_account_subscriber(user=user)
    outbox.enqueue(send_welcome_email, user.pk)


@transaction.atomic
def update_profile(*, user: User, data: dict[str, Any]) -> User:
    """The profile form: details, and the language when one is given (set_account_language: the newsletter
    address follows)."""
    for field in ["first_name", "last_name", "phone", "country", "gender"]:
        setattr(user, field, data.get(field) or "")
    user.save(update_fields=["first_name", "last_name", "phone", "country", "gender"])
    if data.get("language"):
        set_account_language(user=user, language=data["language"])
    return user


@transaction.atomic
def save_address(*, user: User, address: Address) -> Address:
    """Save an address; making it the default of its kind clears the previous default in the same transaction."""
    address.user = user
    if address.is_default:
        Address.objects.filter(user=user, kind=address.kind, is_default=True).exclude(pk=address.pk).update(
            is_default=False
        )
    elif not Address.objects.filter(user=user, kind=address.kind, is_default=True).exclude(pk=address.pk).exists():
        address.is_default = True  # the first address of a kind is its default
    address.save()
    return address


@transaction.atomic
def delete_address(*, user: User, address_id: int) -> None:
    address = Address.objects.select_for_update().get(user=user, pk=address_id)
    address.delete()
    if address.is_default:
        successor = Address.objects.filter(user=user, kind=address.kind).order_by("-created_at").first()
        if successor is not None:
            successor.is_default = True
            successor.save(update_fields=["is_default"])


def remember_confirmed_email(*, user: User, email: str) -> None:
    """allauth confirmed an address of this account: keep it (see ConfirmedEmail). Repeating it changes nothing."""
    ConfirmedEmail.objects.get_or_create(user=user, email__iexact=email.strip(), defaults={"email": email.strip()})


@transaction.atomic
def carry_email_change(*, user: User, request: HttpRequest | None) -> None:
    """The account's primary address changed to a confirmed one (allauth's email_changed): remember it and let
    the newsletter subscriber follow, with its ConsentEvent, in one transaction."""
    remember_confirmed_email(user=user, email=user.email)
    change_subscriber_email(user=user, request=request)


@transaction.atomic
def set_account_language(*, user: User, language: str) -> None:
    """The person's language for pages and every email: the account's and its newsletter address's."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}: it must be one of settings.LANGUAGES.")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    subscriber = subscriber_of(user)
    if subscriber is not None:
        set_subscriber_language(subscriber=subscriber, language=language)
