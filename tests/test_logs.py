"""No log line anywhere holds an email address or a token: the main flows run with every logger at DEBUG."""

import logging
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.forms import shop_today
from subscriptions.models import Subscriber
from subscriptions.tokens import Purpose, make_token
from tests.accounts.test_signup import answer
from tests.factories import AddressFactory, ProductFactory, ProductStyleFactory, UserFactory, launch_topics
from tests.shop.conftest import add_to_cart, checkout_data

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.mark.django_db
def test_the_main_flows_log_no_email_address_and_no_token(caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    for name in ["django.request", "django.security", "celery", "anymail"]:
        logging.getLogger(name).setLevel(logging.DEBUG)
    topics = launch_topics()
    secrets: set[str] = set()
    client = Client(raise_request_exception=False)

    def committed(call, *args, **kwargs):
        """Each request's on-commit work (the emails) runs before the next step, as it would in production."""
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    # Signup through the age screen, confirmation link, login, bad login.
    committed(client.post, reverse("accounts:age_screen"), answer(shop_today().replace(year=1990).isoformat()))
    committed(
        client.post,
        reverse("account_signup"),
        {
            "first_name": "Lou",
            "last_name": "Reed",
            "email": "lou@example.com",
            "password1": "a-long-passphrase-77",
            "password2": "a-long-passphrase-77",
            "country": "FR",
            "newsletter": "on",
        },
    )
    link = next(line for line in mail.outbox[-1].body.split() if "/confirm-email/" in line)
    secrets.add(link.rstrip("/").rsplit("/", 1)[1])
    committed(client.post, link.split("testserver", 1)[1])
    committed(client.post, reverse("account_logout"))
    committed(client.post, reverse("account_login"), {"login": "lou@example.com", "password": "wrong-password-0"})
    committed(client.post, reverse("account_login"), {"login": "lou@example.com", "password": "a-long-passphrase-77"})
    committed(client.post, reverse("account_reset_password"), {"email": "nobody@example.com"})

    # A guest subscribes, confirms, opens the preferences and unsubscribe links, and one-clicks.
    guest = Client(raise_request_exception=False)
    committed(
        guest.post,
        reverse("subscriptions:subscribe"),
        {"email": "guest@example.com", "topics": ["newsletter"]},
    )
    for message in mail.outbox:
        for token in re.findall(r"/(?:confirm|preferences|unsubscribe)/([^/\s]+)/", message.body):
            secrets.add(token)
    confirm = next(t for t in re.findall(r"/subscribe/confirm/([^/\s]+)/", mail.outbox[-1].body))
    committed(guest.post, reverse("subscriptions:subscribe_confirm", args=[confirm]))
    committed(guest.get, reverse("subscriptions:unsubscribe", args=["not-a-real-token"]))
    subscriber = Subscriber.objects.get(email="guest@example.com")
    unsubscribe = make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topics["newsletter"])
    preferences = make_token(subscriber, purpose=Purpose.PREFERENCES)
    secrets |= {unsubscribe, preferences}
    committed(guest.get, reverse("subscriptions:preferences_token", args=[preferences]))
    committed(guest.get, reverse("subscriptions:unsubscribe", args=[unsubscribe]))
    committed(
        Client().post, reverse("subscriptions:unsubscribe", args=[unsubscribe]), {"List-Unsubscribe": "One-Click"}
    )

    # A shopper checks out; a guest writes a review.
    shopper = UserFactory(email="ines@example.com")
    AddressFactory(user=shopper)
    product = ProductFactory(name="Linen shirt")
    ProductStyleFactory(product=product, name="Sand")
    buyer = Client(raise_request_exception=False)
    buyer.force_login(shopper)
    committed(add_to_cart, buyer, product)
    committed(buyer.post, reverse("shop:checkout"), checkout_data(buyer))
    committed(
        guest.post,
        reverse("reviews:write", kwargs={"slug": product.slug}),
        {
            "rating": 5,
            "title": "Lovely",
            "body": "Soft and well made.",
            "display_name": "Ana",
            "email": "ana@example.com",
            "city": "Lyon",
            "country": "FR",
        },
    )

    for message in mail.outbox:  # every emailed token, too
        secrets.update(re.findall(r"/(?:confirm|preferences|unsubscribe)/([^/\s]+)/", message.body))
    lines = [record.getMessage() for record in caplog.records if not record.name.startswith("factory")]
    assert len(mail.outbox) >= 4  # the flows really ran
    leaks = [line for line in lines if EMAIL.search(line) or any(secret in line for secret in secrets)]
    assert leaks == []
    assert any("allauth" in r.name or "celery" in r.name or "django" in r.name for r in caplog.records)


def test_the_production_access_log_format_holds_no_path_and_no_ip():
    from pathlib import Path

    web = next(
        line for line in (Path(__file__).parents[1] / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    log_format = web.split("--access-logformat", 1)[1]
    for field in ["%(h)s", "%(r)s", "%(U)s", "%(q)s", "%(f)s", "%({"]:
        assert field not in log_format  # remote address, request line, path, query, referer, headers


def test_the_log_handlers_redact_addresses_and_emailed_link_tokens(capsys):
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    token = "WzEsMiwidSIsImFiY2RlZiJd:1xWFMh:cKOExVGcPxxR_SGMQt4ak2RPDajClQLIEN2EjqaCQlE"
    logging.getLogger("django.server").info('"%s" %s %s', f"GET /unsubscribe/{token}/ HTTP/1.1", 200, 512)
    logging.getLogger("some.library").warning("could not deliver to %s", "Ada.Lovelace@Example.com")
    err = capsys.readouterr().err
    assert token not in err
    assert "/unsubscribe/<token>/" in err
    assert "Lovelace" not in err
    assert "could not deliver to <email>" in err
