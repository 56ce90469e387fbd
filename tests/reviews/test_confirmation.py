"""A review counts only once its author proves the address by the emailed link (issue 13, item 6).

Each test performs one attack a stranger could try with nothing but someone's email address.
"""

from __future__ import annotations

import datetime
import logging
import re
import time

import pytest
from django.core import signing
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Review, ReviewStatus
from tests.factories import PASSWORD, ProductFactory, ReviewFactory, UserFactory
from tests.reviews.test_services import place_order_for

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.com"


@pytest.fixture(autouse=True)
def unlimited(settings):
    settings.REVIEWS_RATE_LIMIT_PER_IP = 10_000
    settings.REVIEWS_RATE_LIMIT_PER_EMAIL = 10_000
    settings.REVIEWS_ATTEMPT_LIMIT_PER_IP = 10_000


class Browser(Client):
    """A test client whose posts run the on-commit work (the confirmation email is sent after the commit)."""

    def post(self, *args, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().post(*args, **kwargs)


def write_url(product) -> str:
    return reverse("reviews:write", kwargs={"slug": product.slug})


def form_data(**overrides) -> dict:
    data = {
        "rating": "1",
        "title": "Terrible",
        "body": "Fell apart in a week.",
        "display_name": "Mallory",
        "email": VICTIM,
        "city": "Nowhere",
        "country": "GB",
    }
    data.update(overrides)
    return data


def guest() -> Client:
    """A browser that has passed the age screen (as an adult) and nothing else."""
    from tests.factories import age_answer

    browser = Browser()
    browser.post(reverse("accounts:age_check") + "?next=/", age_answer("1980-05-17"))
    return browser


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/reviews/confirm/[^\s\"<]+/)", message.body)
    assert match, message.body
    return match.group(1)


def reply_page(browser: Client, response) -> str:
    """The page the shopper sees after submitting, without the parts that differ per request (CSRF token)."""
    assert response.status_code == 302
    html = browser.get(response["Location"]).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


def test_a_guest_review_waits_for_the_link_then_goes_to_moderation(mailoutbox_anymail):
    product = ProductFactory(name="Trail boots")
    browser = guest()
    response = browser.post(write_url(product), form_data(email="Ada@Example.com", title="Great"))
    review = Review.objects.get()
    assert review.status == ReviewStatus.UNCONFIRMED
    assert "Check your inbox to confirm your review" in reply_page(browser, response)

    [message] = mailoutbox_anymail
    assert message.to == ["ada@example.com"]
    assert message.subject == "Confirm your review of Trail boots"
    assert "Great" not in message.body
    assert "Mallory" not in message.body
    assert message.tags == ["review"]

    link = link_in(message)
    # GET shows a button and changes nothing (a mail scanner opening the link confirms nothing)
    page = browser.get(link)
    assert page.status_code == 200
    assert "Confirm my review" in page.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.UNCONFIRMED

    done = browser.post(link)
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING
    assert review.confirmed_at is not None
    assert review.confirmation_nonce == ""


def test_typing_someones_email_leaves_their_published_review_as_it_is(mailoutbox_anymail):
    product = ProductFactory()
    theirs = ReviewFactory(product=product, email=VICTIM, title="Love them", rating=5, verified_purchase=True)
    before = Review.objects.filter(pk=theirs.pk).values().get()

    attacker = guest()
    attacker.post(write_url(product), form_data(email="VICTIM@example.com "))
    attacker.post(write_url(product), form_data(email=VICTIM, title="Still terrible"))

    assert Review.objects.filter(pk=theirs.pk).values().get() == before  # published, unchanged, still public
    html = Browser().get(product.get_absolute_url()).content.decode()
    assert "Love them" in html
    assert "Terrible" not in html
    # the confirmation went to the victim's inbox only; the attacker can't use it
    assert {tuple(m.to) for m in mailoutbox_anymail} == {(VICTIM,)}
    assert Review.objects.filter(status=ReviewStatus.UNCONFIRMED).count() == 2

    # only the link in THEIR inbox replaces it (here the victim chooses to confirm the latest one)
    victim = Browser()
    victim.post(link_in(mailoutbox_anymail[-1]))
    assert not Review.objects.filter(pk=theirs.pk).exists()
    assert list(Review.objects.values_list("title", "status")) == [("Still terrible", ReviewStatus.PENDING)]


def test_a_logged_in_shopper_is_not_a_shortcut_for_someone_elses_address(mailoutbox_anymail):
    product = ProductFactory()
    theirs = ReviewFactory(product=product, email=VICTIM)
    mallory = UserFactory(email="mallory@example.com")
    browser = Browser()
    browser.login(email=mallory.email, password=PASSWORD)
    response = browser.post(write_url(product), form_data())
    assert "Check your inbox to confirm your review" in reply_page(browser, response)
    theirs.refresh_from_db()
    assert theirs.status == ReviewStatus.PUBLISHED
    assert Review.objects.get(email=VICTIM, status=ReviewStatus.UNCONFIRMED)
    assert [m.to for m in mailoutbox_anymail] == [[VICTIM]]


def test_a_logged_in_shopper_with_that_confirmed_address_skips_the_email(mailoutbox_anymail):
    product = ProductFactory()
    user = UserFactory(email="grace@example.com")
    earlier = ReviewFactory(product=product, email="grace@example.com", title="First go")
    place_order_for(user, product)
    browser = Browser()
    browser.login(email=user.email, password=PASSWORD)
    response = browser.post(write_url(product), form_data(email="Grace@example.com", title="Second go"))
    assert "will appear once our team has checked it" in reply_page(browser, response)
    review = Review.objects.get()
    assert (review.title, review.status, review.verified_purchase) == ("Second go", ReviewStatus.PENDING, True)
    assert not Review.objects.filter(pk=earlier.pk).exists()
    assert mailoutbox_anymail == []


def test_an_unconfirmed_address_of_an_account_still_needs_the_link(mailoutbox_anymail):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="grace@example.com")
    EmailAddress.objects.create(user=user, email="not-yet-mine@example.com", verified=False)
    browser = Browser()
    browser.login(email=user.email, password=PASSWORD)
    browser.post(write_url(ProductFactory()), form_data(email="not-yet-mine@example.com"))
    assert Review.objects.get().status == ReviewStatus.UNCONFIRMED
    assert [m.to for m in mailoutbox_anymail] == [["not-yet-mine@example.com"]]


def test_no_verified_purchase_badge_for_a_typed_buyers_address(mailoutbox_anymail):
    product = ProductFactory()
    buyer = UserFactory(email=VICTIM)
    place_order_for(buyer, product)
    guest().post(write_url(product), form_data())
    review = Review.objects.get()
    assert review.verified_purchase is False
    services.publish_reviews(review_ids=[review.pk])  # a moderator can't publish it either
    review.refresh_from_db()
    assert review.status == ReviewStatus.UNCONFIRMED
    assert "Verified purchase" not in Browser().get(product.get_absolute_url()).content.decode()

    # the buyer's own link earns it
    Browser().post(link_in(mailoutbox_anymail[0]))
    review.refresh_from_db()
    assert review.verified_purchase is True


def test_the_reply_is_the_same_for_any_address(mailoutbox_anymail):
    """A reviewer, a buyer, an account holder and an unknown address get byte-identical reply pages."""
    product = ProductFactory()
    ReviewFactory(product=product, email="reviewed@example.com")
    place_order_for(UserFactory(email="bought@example.com"), product)
    UserFactory(email="account@example.com")
    pages = set()
    for email in ["reviewed@example.com", "bought@example.com", "account@example.com", "nobody@example.com"]:
        browser = guest()
        pages.add(reply_page(browser, browser.post(write_url(product), form_data(email=email))))
    assert len(pages) == 1
    assert "Check your inbox to confirm your review" in pages.pop()
    assert len(mailoutbox_anymail) == 4  # the same work for each: one email


def test_a_link_works_once(mailoutbox_anymail):
    product = ProductFactory()
    guest().post(write_url(product), form_data(email="ada@example.com"))
    link = link_in(mailoutbox_anymail[0])
    assert Browser().post(link).status_code == 302
    review = Review.objects.get()
    services.publish_reviews(review_ids=[review.pk])
    for method in ["get", "post"]:
        again = getattr(Browser(), method)(link)
        assert again.status_code == 400
        assert "This link doesn't work" in again.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED  # reusing the link didn't send it back to moderation


def test_an_expired_link_changes_nothing(mailoutbox_anymail, monkeypatch):
    guest().post(write_url(ProductFactory()), form_data())
    link = link_in(mailoutbox_anymail[0])
    three_days_and_a_minute = time.time() + 72 * 3600 + 60
    monkeypatch.setattr(signing.time, "time", lambda: three_days_and_a_minute)
    assert Browser().get(link).status_code == 400
    response = Browser().post(link)
    assert response.status_code == 400
    assert "This link doesn't work" in response.content.decode()
    assert Review.objects.get().status == ReviewStatus.UNCONFIRMED


@pytest.mark.parametrize("how", ["other review", "edited id", "truncated", "garbage", "other salt"])
def test_a_tampered_link_changes_nothing(how, mailoutbox_anymail):
    product = ProductFactory()
    guest().post(write_url(product), form_data(email="ada@example.com"))
    mine = Review.objects.get()
    guest().post(write_url(product), form_data(email=VICTIM))
    victims = Review.objects.get(email=VICTIM)
    token = services.confirmation_token(mine)
    if how == "other review":  # my valid signature, the victim's review id and my nonce
        forged = signing.TimestampSigner(salt="reviews.confirmation").sign_object([victims.pk, mine.confirmation_nonce])
        token = forged
    elif how == "edited id":  # the payload re-encoded with the victim's id, my signature kept
        payload, timestamp, signature = token.split(":")
        edited = signing.b64_encode(f'[{victims.pk},"{victims.confirmation_nonce}"]'.encode()).decode()
        assert edited != payload
        token = f"{edited}:{timestamp}:{signature}"
    elif how == "truncated":
        token = token[:-3]
    elif how == "garbage":
        token = "x" * 150
    else:
        token = signing.TimestampSigner(salt="another").sign_object([victims.pk, victims.confirmation_nonce])
    response = Browser().post(reverse("reviews:confirm", kwargs={"token": token}))
    assert response.status_code == 400
    assert set(Review.objects.values_list("status", flat=True)) == {ReviewStatus.UNCONFIRMED}


def test_the_link_carries_no_email_and_nothing_logs_one(mailoutbox_anymail, caplog):
    caplog.set_level(logging.DEBUG)
    guest().post(write_url(ProductFactory()), form_data(email="secret.person@example.org"))
    link = link_in(mailoutbox_anymail[0])
    assert "secret" not in link
    token = link.rsplit("/", 2)[-2]
    assert "secret" not in signing.b64_decode(token.split(":")[0].encode() + b"==").decode(errors="ignore")
    Browser().post(link)
    assert "secret.person" not in caplog.text


def test_unconfirmed_reviews_are_purged_after_30_days():
    product = ProductFactory()
    old = services.submit_review(
        product=product,
        rating=3,
        title="t",
        body="b",
        display_name="A",
        email="a@example.com",
        city="Paris",
        country="FR",
    )
    fresh = services.submit_review(
        product=product,
        rating=3,
        title="t",
        body="b",
        display_name="B",
        email="b@example.com",
        city="Paris",
        country="FR",
    )
    published_long_ago = ReviewFactory(product=product)
    Review.objects.filter(pk__in=[old.pk, published_long_ago.pk]).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    from config.celery import app
    from reviews.tasks import purge_unconfirmed_reviews

    [entry] = [e for e in app.conf.beat_schedule.values() if e["task"] == "reviews.tasks.purge_unconfirmed_reviews"]
    assert entry["schedule"].hour == {3}  # nightly: what the confirmation email and the admin promise
    assert purge_unconfirmed_reviews() == 1
    assert set(Review.objects.values_list("pk", flat=True)) == {fresh.pk, published_long_ago.pk}
    assert services.purge_unconfirmed() == 0


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_confirmation_email_waits_in_the_outbox(settings):
    """Submitting while the broker is down still stores the review and its confirmation request; the outbox relay
    publishes it later, instead of the author waiting for an email that never comes."""
    from unittest import mock

    from config.celery import app
    from outbox.models import OutboxTask

    app.conf.task_always_eager = False  # (the autouse fixture puts it back)
    with mock.patch("celery.app.task.Task.apply_async", side_effect=OSError("broker down")):
        review = services.submit_review(
            product=ProductFactory(),
            rating=5,
            title="t",
            body="b",
            display_name="A",
            email="waiting@example.com",
            city="Paris",
            country="FR",
        )
    [row] = OutboxTask.objects.filter(task="reviews.tasks.send_review_confirmation")
    assert row.args == [review.pk]
    assert row.published_at is None
