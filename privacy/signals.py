"""Wiring only: allauth's sign-in and signup signals into the access log."""

from allauth.account.signals import user_logged_in, user_signed_up
from django.dispatch import receiver

from . import services
from .models import AccessLog


@receiver(user_logged_in, dispatch_uid="privacy.access_log.sign_in")
def on_sign_in(sender, request, user, **kwargs) -> None:
    services.log_event(request=request, event=AccessLog.Event.SIGN_IN, user_id=user.pk)


@receiver(user_signed_up, dispatch_uid="privacy.access_log.signup")
def on_signup(sender, request, user, **kwargs) -> None:
    services.log_event(request=request, event=AccessLog.Event.SIGNUP, user_id=user.pk)
