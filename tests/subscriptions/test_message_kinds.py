"""subscriptions knows only its own message kinds; the host declares the rest (SUBSCRIPTIONS_MESSAGE_KINDS)."""

import pytest

from shop.checks import shop_email_kinds_declared
from subscriptions.models import SentEmail
from subscriptions.services import send_transactional

WELCOME = {"template": "email/accounts/welcome", "context": {"user": None}}


@pytest.mark.django_db
def test_a_kind_the_host_declared_is_sent_and_logged(mailoutbox):
    send_transactional(to="reader@example.com", kind="order", **WELCOME)
    assert [m.to for m in mailoutbox] == [["reader@example.com"]]
    assert SentEmail.objects.get().get_kind_display() == "Order"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["invoice", "commercial"])
def test_an_undeclared_or_commercial_kind_is_refused_and_nothing_goes(mailoutbox, kind):
    with pytest.raises(ValueError, match=r"kind|Commercial"):
        send_transactional(to="reader@example.com", kind=kind, **WELCOME)
    assert mailoutbox == []
    assert not SentEmail.objects.exists()


def test_the_shop_check_fails_when_its_kinds_are_not_declared(settings):
    assert shop_email_kinds_declared(None) == []
    settings.SUBSCRIPTIONS_MESSAGE_KINDS = {"order": "Order"}
    [error] = shop_email_kinds_declared(None)
    assert error.id == "shop.E001"
    assert "shipping" in error.msg
