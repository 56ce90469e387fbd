"""Wiring only: allauth's sign-in and signup signals into the access log; Django's sign-in signal into the
policy review (worked out once per visit whether the shopper must review a changed privacy policy)."""

from allauth.account.signals import user_logged_in, user_signed_up
from django.contrib.auth.signals import user_logged_in as django_user_logged_in
from django.dispatch import receiver

from . import services
from .context_processors import remember_policy_review
from .models import AccessLog


@receiver(user_logged_in, dispatch_uid="privacy.access_log.sign_in")
def on_sign_in(sender, request, user, **kwargs) -> None:
    services.log_event(request=request, event=AccessLog.Event.SIGN_IN, user_id=user.pk)


@receiver(user_signed_up, dispatch_uid="privacy.access_log.signup")
def on_signup(sender, request, user, **kwargs) -> None:
    services.log_event(request=request, event=AccessLog.Event.SIGNUP, user_id=user.pk)


@receiver(django_user_logged_in, dispatch_uid="privacy.policy_review")
def on_login(sender, request, user, **kwargs) -> None:
    if request is not None:
        remember_policy_review(request, user)
