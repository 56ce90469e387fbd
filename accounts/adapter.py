"""Our only hook into allauth (ACCOUNT_ADAPTER): signup gating, profile fields, mail routing, and the key that
failed sign-ins are counted under."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from subscriptions.models import MessageKind
from subscriptions.services import send_transactional

from . import age_screen, services
from .models import User


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Closed (the kind refusal page) for a browser the age screen refused in the last day."""
        return not age_screen.is_refused(request)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        if not commit:
            services.fill_signup_profile(user=user, data=form.cleaned_data, age_band=form.age_band)
            return user
        services.register(user=user, data=form.cleaned_data, age_band=form.age_band, request=request)
        age_screen.forget(request)
        return user

    def confirm_email(self, request, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed and email_address.primary:
            services.on_email_confirmed(user=email_address.user)
        return confirmed

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        """No "confirmation email sent to <address>" banner: allauth shows it only when it really sent a mail (a
        known address asked again within minutes gets none), so it would tell known addresses apart. The page the
        signup lands on says the same thing to everyone."""
        if message_template == "account/messages/email_confirmation_sent.txt":
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Failed sign-ins count per (IP, account), never per account alone: a stranger's wrong passwords from
        elsewhere must not lock the owner out (ACCOUNT_RATE_LIMITS["login_failed"]'s "key"). allauth hashes the
        key, and accounts.rate_limits hashes the whole cache key again, so the cache holds neither IP nor address.
        """
        return f"{self.get_client_ip(request)}|{super()._get_login_attempts_cache_key(request, **credentials)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's account emails (confirmation, password reset...) leave through send_transactional, written in
        the account's saved language whatever the page that sends them (a resend from an English page to a German
        account is German). An address with no account (allauth's "unknown account" notice) has no saved language:
        it gets the language of the page that asked."""
        request = context.get("request")
        user = context.get("user")
        context = {"email": email, **context}
        if request is not None:
            context.setdefault("request", request)
        language = recipient_language(user, email)
        with translation.override(language):  # anything allauth left lazy in the context follows too
            send_transactional(
                to=email,
                template=template_prefix,
                context=context,
                kind=MessageKind.ACCOUNT,
                object_id=getattr(user, "pk", None),
                language=language,
            )


def recipient_language(user, email: str = "") -> str:
    """An account's saved language (found by its address when allauth names no user); for an account that never
    chose one, the shop's default; for an address with no account, the language of the page that asked."""
    languages = dict(settings.LANGUAGES)
    if user is None and email:
        user = User.objects.filter(email__iexact=email).only("language").first()
    if user is not None and getattr(user, "pk", None) is not None:
        saved = getattr(user, "language", "")
        return saved if saved in languages else settings.LANGUAGE_CODE
    active = translation.get_language()
    return active if active in languages else settings.LANGUAGE_CODE
