from subscriptions.models import MessageKind
from subscriptions.services import send_transactional

from .models import User


def send_welcome(user: User) -> None:
    """The registration confirmation: transactional, sent whatever the person's marketing choices, in their language."""
    send_transactional(
        to=user.email,
        template="email/accounts/welcome",
        context={"user": user},
        kind=MessageKind.ACCOUNT,
        object_id=user.pk,
        language=user.language,
    )
