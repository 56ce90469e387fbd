"""Issue 12, item 2: two anonymous requests took the site down.

Attack: POST a 200,000-character display name (or a body of "1 " * 1600) to the review form: the email pattern was
quadratic on long runs without "@", the phone search tried every span of a run, and the validators ran even after
max_length had refused the value. Two such POSTs held both gunicorn workers for 30 s.

Here ten adversarial inputs of 1 MB each go, one field at a time, into every text field of every form that runs a
scrubber or validator, through the real views (middleware, CSRF-free test client, form, template). Each answer must be
a refusal with a message (no 500, nothing saved) within 200 ms of CPU time. CPU time of the request's thread, not wall
time: the machine running the suite is shared, and waiting for a core is not work the request does. (Measured on the
2-core dev machine under load: 70-130 ms per request, nearly all of it rendering the page with its errors.)
"""

from __future__ import annotations

import gc
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from shop.models import Contest, ContestEntry, SupportTicket
from subscriptions.models import Subscriber
from tests.factories import PASSWORD, ProductFactory, UserFactory, age_answer
from tests.shop.conftest import add_to_cart, checkout_data

MB = 1_000_000
BUDGET_SECONDS = 0.2

ADVERSARIAL = {
    "letters without @": "a" * MB,  # the email pattern restarted at every letter
    "digit-space run": "1 " * (MB // 2),  # the phone search tried every span ("1 " * 1600 took 40 s)
    "bracketed digits": "(1-" * (MB // 3),  # a phone candidate starting at every "("
    "dotted labels": "a." * (MB // 2),  # email domain labels
    "@ then a long domain": "x@" + "a" * (MB - 2),
    "real-looking phones": "+33 6 12 34 56 78 " * (MB // 18),
    "street addresses": "12 rue de la Paix " * (MB // 18),
    "two-byte characters": "\u00e9" * (MB // 2),
    "invisible characters": "\u200b" * (MB // 3),
    "markup": "<a " * (MB // 3),
}

REVIEW = {"rating": "5", "title": "Lovely", "body": "Fits well.", "display_name": "Ada", "email": "ada@example.com"}
REVIEW |= {"city": "Paris", "country": "FR"}
CONTACT = {"name": "Ada", "email": "ada@example.com", "subject": "Hello", "message": "Where is my parcel?"}
CONTEST = {"first_name": "Lea", "city": "Lyon", "email": "lea@example.com"}
SIGNUP = {"first_name": "Ada", "last_name": "Lovelace", "email": "new@example.com", "password1": PASSWORD}
SIGNUP |= {"password2": PASSWORD, "country": "FR", "phone": ""}
ADDRESS = {"kind": "shipping", "full_name": "Ada Lovelace", "line1": "3 Rue Oberkampf", "line2": "", "city": "Paris"}
ADDRESS |= {"region": "", "postal_code": "75011", "country": "FR", "phone": ""}
PROFILE = {"first_name": "Ada", "last_name": "Lovelace", "phone": "", "country": "FR", "gender": ""}


@pytest.fixture
def no_rate_limits(settings):
    """Rate limits would answer most of these requests before any check runs: lift them to time the checks.

    Also freezes the test process's heap (gc.freeze): a full garbage collection of everything pytest and the suite
    loaded is not the request's work, and would otherwise land in whichever request happens to trigger it."""
    gc.collect()
    gc.freeze()
    settings.REVIEWS_ATTEMPT_LIMIT_PER_IP = settings.REVIEWS_RATE_LIMIT_PER_IP = 10_000
    settings.SHOP_CONTACT_ATTEMPT_LIMIT = settings.SHOP_CONTACT_RATE_LIMIT = (10_000, 3600)
    settings.SHOP_CONTEST_ATTEMPT_LIMIT = (10_000, 3600)
    settings.SUBSCRIPTIONS_SUBSCRIBE_RATE_PER_IP = 10_000
    settings.ACCOUNT_RATE_LIMITS = False
    yield
    gc.unfreeze()


def attack(client: Client, url: str, valid: dict, fields: list[str]) -> list[str]:
    """Post each adversarial input into each field (the others valid); return what went wrong."""
    problems = []
    client.post(url, {**valid, fields[0]: ""})  # untimed: the first request compiles the page's templates
    for field in fields:
        for name, value in ADVERSARIAL.items():
            gc.collect()  # a full collection of the test process's heap is not the request's work
            started = time.thread_time()
            response = client.post(url, {**valid, field: value})
            spent = time.thread_time() - started
            if response.status_code not in (200, 400) or "errorlist" not in response.content.decode():
                problems.append(f"{url} {field}={name}: status {response.status_code}, no form error shown")
            if spent >= BUDGET_SECONDS:
                problems.append(f"{url} {field}={name}: {spent * 1000:.0f} ms of CPU")
    return problems


@pytest.mark.django_db
def test_public_forms_refuse_1_mb_inputs_quickly(client, topics, no_rate_limits):
    product = ProductFactory(slug="linen-shirt")
    now = timezone.now()
    contest = Contest.objects.create(
        title="Draw", slug="draw", prize="A shirt", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1)
    )
    problems = attack(client, reverse("reviews:write", args=[product.slug]), REVIEW, [*REVIEW][1:6])
    problems += attack(client, reverse("shop:contact"), CONTACT, [*CONTACT])
    problems += attack(client, contest.get_absolute_url(), CONTEST, [*CONTEST])
    problems += attack(client, reverse("subscriptions:subscribe"), {"topics": ["newsletter"]}, ["email"])
    problems += attack(
        client, reverse("accounts:age_screen"), {}, ["date_of_birth_day", "date_of_birth_month", "date_of_birth_year"]
    )
    client.post(reverse("accounts:age_screen"), age_answer("1990-05-31"))
    problems += attack(client, reverse("account_signup"), SIGNUP, ["first_name", "last_name", "email", "phone"])
    assert problems == [], "\n".join(problems)
    assert not Review.objects.exists()
    assert not SupportTicket.objects.exists()
    assert not ContestEntry.objects.exists()
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_shopper_forms_refuse_1_mb_inputs_quickly(client, shopper, product, no_rate_limits):
    client.force_login(shopper)
    addresses = shopper.addresses.count()
    problems = attack(client, reverse("accounts:profile"), PROFILE, ["first_name", "last_name", "phone"])
    text_fields = ["full_name", "line1", "line2", "city", "region", "postal_code", "phone"]
    problems += attack(client, reverse("accounts:address_add"), ADDRESS, text_fields)
    problems += attack(client, reverse("shop:checkout_address"), ADDRESS, text_fields)
    add_to_cart(client, product)
    checkout = checkout_data(client)
    fields = ["payment_token", "card_brand", "card_last4", "expected_subtotal", "checkout_key"]
    problems += attack(client, reverse("shop:checkout"), checkout, fields)
    assert problems == [], "\n".join(problems)
    assert shopper.addresses.count() == addresses
    assert not shopper.orders.exists()
    shopper.refresh_from_db()
    assert shopper.first_name == "Ines"


def test_the_reported_attack_a_200_000_character_name_is_refused_at_once(db, client, no_rate_limits):
    """The issue's repro, kept verbatim: two of these held both web workers for 30 s."""
    product = ProductFactory()
    client.get(reverse("reviews:write", args=[product.slug]))
    gc.collect()
    started = time.thread_time()
    response = client.post(reverse("reviews:write", args=[product.slug]), {**REVIEW, "display_name": "a" * 200_000})
    assert time.thread_time() - started < BUDGET_SECONDS
    assert "Ensure this value has at most 80 characters" in response.content.decode()
    assert UserFactory._meta.model.objects.count() == 0
