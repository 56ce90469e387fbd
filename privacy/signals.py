"""Wiring only: at sign-in, work out once whether the shopper must review a changed privacy policy."""

from django.contrib.auth.signals import user_logged_in

from .context_processors import remember_policy_review


def on_login(sender, request, user, **kwargs) -> None:
    if request is not None:
        remember_policy_review(request, user)


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="privacy.policy_review")
