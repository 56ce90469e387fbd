"""Download my data and delete my account: every app's data about the person, nobody else's; erasure leaves
no clear email, name or phone anywhere; the address stays suppressed; erasure and an order never interleave."""

import datetime
import json
import threading
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from privacy import data_rights, services
from privacy.models import AccessLog, ConsentEvent, DataExport, DataRequest
from shop import services as shop_services
from shop.cart import CartLine
from shop.models import Contest, ContestEntry, Order, SupportTicket
from shop.services import checkout as shop_checkout
from subscriptions import services as subscription_services
from subscriptions.models import Delivery, Edition, SentEmail, Subscription
from subscriptions.selectors import eligible_subscriptions
from subscriptions.services import email_hash, suppression_reason
from tests.factories import (
    PASSWORD,
    AddressFactory,
    ProductFactory,
    ReviewFactory,
    SubscriberFactory,
    SubscriptionFactory,
    UserFactory,
)


def place_order(user, address, product):
    with mock.patch("shop.services.outbox.enqueue_order_email"):
        return shop_services.place_order(
            user=user,
            lines=[CartLine(key="k", product=product, style=None, quantity=1)],
            shipping_address=address,
            billing_address=address,
            carrier="dhl",
            payment_token="tok_test_visa_4242_rights01",
            expected_total=product.price + shop_services.shipping_cost("dhl"),
            checkout_key=uuid.uuid4(),
        )


def make_person(tag: str, topics, contest):
    """A shopper with something in every app, each value carrying `tag` so a scan can find it."""
    user = UserFactory(
        email=f"{tag}.person@example.org", first_name=f"{tag}first", last_name=f"{tag}last", phone="+33612345" + tag[:3]
    )
    address = AddressFactory(user=user, full_name=f"{tag}first {tag}last", line1=f"1 rue {tag}", phone=user.phone)
    subscriber = SubscriberFactory(email=user.email, user=user)
    subscription = SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"])
    edition = Edition.objects.create(
        topic=topics["newsletter"],
        subject=f"Edition for {tag}",
        body_text="x",
        body_html="x",
        status="sent",
        slot_at=timezone.now(),
    )
    Delivery.objects.create(
        edition=edition, subscriber=subscriber, subscription=subscription, status="sent", sent_at=timezone.now()
    )
    order = place_order(user, address, ProductFactory(price=Decimal("10.00")))
    SupportTicket.objects.create(
        user=user, name=user.get_full_name(), email=user.email, subject=f"Ticket {tag}", message="Where is it?"
    )
    ContestEntry.objects.create(contest=contest, first_name=user.first_name, city="Lyon", email=user.email)
    ReviewFactory(email=user.email, display_name=user.first_name, city=f"{tag}town")
    services.record_consent(
        subject=f"user:{user.pk}", purpose="cookies:analytics", action="granted", method="cookie_banner", user=user
    )
    AccessLog.objects.create(user=user, method="GET", path="/privacy/", status=200, ip="203.0.113.9")
    SentEmail.objects.create(recipient_hash=email_hash(user.email), kind="account", subject=f"Welcome {tag}first")
    return user, order


@pytest.fixture
def contest(db):
    now = timezone.now()
    return Contest.objects.create(
        title="Spring",
        slug="spring",
        prize="A bag",
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=1),
    )


def export_of(user) -> dict:
    data_export = data_rights.request_export(user=user)
    data_export.refresh_from_db()
    return data_export.payload


@pytest.mark.django_db(transaction=False)
def test_the_export_holds_every_apps_data_about_me_and_nobody_elses(
    topics, contest, django_capture_on_commit_callbacks
):
    alice, alice_order = make_person("alice", topics, contest)
    _bob, bob_order = make_person("bobby", topics, contest)
    with django_capture_on_commit_callbacks(execute=True):
        data_export = data_rights.request_export(user=alice)
    data_export.refresh_from_db()
    assert data_export.status == DataExport.Status.READY
    payload = data_export.payload
    sections = payload["sections"]
    for key in [
        "profile",
        "addresses",
        "subscriptions",
        "deliveries",
        "consent_history",
        "disclosures",
        "access_logs",
        "orders",
        "support_tickets",
        "contest_entries",
        "reviews",
        "data_requests",
        "emails_sent",
    ]:
        assert sections[key]["items"], f"section {key} is empty"
    assert sections["profile"]["items"][0]["email"] == "alice.person@example.org"
    assert sections["profile"]["items"][0]["age_band"] == "adult"
    assert sections["orders"]["items"][0]["number"] == alice_order.number
    assert sections["orders"]["items"][0]["lines"][0]["quantity"] == 1
    assert sections["reviews"]["items"][0]["city"] == "alicetown"
    assert sections["deliveries"]["items"][0]["newsletter"] == "Edition for alice"
    text = json.dumps(payload)
    assert "alice" in text
    assert "bobby" not in text
    assert bob_order.number not in text
    # the request is in the staff queue, completed
    assert DataRequest.objects.get(user=alice, kind="export").status == "completed"


@pytest.mark.django_db
def test_export_pages_are_for_the_owner_only(client, topics, contest, django_capture_on_commit_callbacks):
    alice, _ = make_person("alice", topics, contest)
    bob = UserFactory()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:export"))
    assert response.status_code == 302
    data_export = DataExport.objects.get(user=alice)
    page = client.get(reverse("privacy:export")).content.decode()
    assert reverse("privacy:export_json", args=[data_export.public_id]) in page
    html = client.get(reverse("privacy:export_page", args=[data_export.public_id])).content.decode()
    assert "alice.person@example.org" in html
    assert "Your orders" in html
    download = client.get(reverse("privacy:export_json", args=[data_export.public_id]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert json.loads(download.content)["format"] == data_rights.EXPORT_FORMAT
    client.force_login(bob)
    assert client.get(reverse("privacy:export_page", args=[data_export.public_id])).status_code == 404
    assert client.get(reverse("privacy:export_json", args=[data_export.public_id])).status_code == 404
    client.logout()
    assert client.get(reverse("privacy:export_json", args=[data_export.public_id])).status_code == 302


@pytest.mark.django_db
def test_expired_exports_are_refused_then_deleted_by_the_nightly_task(client, django_capture_on_commit_callbacks):
    from privacy.tasks import purge_expired_exports

    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        data_export = data_rights.request_export(user=user)
    DataExport.objects.filter(pk=data_export.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client.force_login(user)
    assert client.get(reverse("privacy:export_json", args=[data_export.public_id])).status_code == 404
    assert purge_expired_exports() == 1
    assert not DataExport.objects.exists()


def text_columns_holding(needles: list[str]) -> list[str]:
    """Every (table.column) of a text-like type whose value contains one of the needles, case-insensitive."""
    hits = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('character varying', 'text', 'jsonb', 'json')"
        )
        columns = cursor.fetchall()
        for table, column in columns:
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608 (catalogue names)
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column} holds {needle}")
    return hits


@pytest.mark.django_db
def test_after_erasure_no_table_holds_my_email_name_or_phone_in_clear(topics, contest):
    alice, order = make_person("alice", topics, contest)
    _bob, bob_order = make_person("bobby", topics, contest)
    needles = ["alice.person@example.org", "alicefirst", "alicelast", "612345ali", "alicetown"]
    assert text_columns_holding(needles)  # the scan finds them before

    data_request = data_rights.erase_person(alice)

    assert text_columns_holding(needles) == []
    # orders are kept (retention) without the person's details; bob's are untouched
    order.refresh_from_db()
    assert order.email.endswith("@erased.invalid")
    assert order.shipping_address["lines"] == []
    assert order.total == Decimal("15.90")
    assert Order.objects.get(pk=bob_order.pk).email == "bobby.person@example.org"
    assert text_columns_holding(["bobby.person@example.org", "bobbyfirst"])
    # recorded: a ConsentEvent and a completed DataRequest with what each app did
    assert data_request.status == "completed"
    assert data_request.kind == "erasure"
    assert data_request.summary["shop"]["orders_kept_anonymised"] == 1
    assert data_request.summary["reviews"]["reviews_anonymised"] == 1
    assert ConsentEvent.objects.filter(user=alice, purpose="erasure", method="account_deletion").exists()
    alice.refresh_from_db()
    assert not alice.is_active
    assert not alice.has_usable_password()
    assert suppression_reason("alice.person@example.org") == "erasure"
    with pytest.raises(data_rights.AlreadyErased):
        data_rights.erase_person(alice)


@pytest.mark.django_db
def test_orders_past_retention_are_deleted_at_erasure(topics, contest, settings):
    alice, order = make_person("alice", topics, contest)
    Order.objects.filter(pk=order.pk).update(placed_at=timezone.now() - datetime.timedelta(days=365 * 11))
    data_rights.erase_person(alice)
    assert not Order.objects.filter(pk=order.pk).exists()


@pytest.mark.django_db
def test_the_next_mailing_skips_an_erased_address_even_re_entered_as_a_guest(topics, contest):
    alice, _ = make_person("alice", topics, contest)
    data_rights.erase_person(alice)
    guest = subscription_services.subscribe_guest(email=" Alice.Person@example.org ", topics=[topics["newsletter"]])
    guest.refresh_from_db()
    assert guest.suppressed_reason == "erasure"
    # even if the address is confirmed afterwards, no mailing selects it
    subscription_services.confirm_subscriber(subscriber=guest, method="emailed_link")
    assert Subscription.objects.get(subscriber=guest).state == "active"
    assert not eligible_subscriptions(topics["newsletter"]).filter(subscriber=guest).exists()


@pytest.mark.django_db
def test_a_deleted_person_can_sign_up_again_as_new(topics, contest):
    alice, _ = make_person("alice", topics, contest)
    data_rights.erase_person(alice)
    again = UserFactory(email="alice.person@example.org")
    assert again.pk != alice.pk
    assert not Order.objects.filter(user=again).exists()


@pytest.mark.django_db
def test_delete_my_account_needs_the_password_then_signs_out(client):
    user = UserFactory(email="carol@example.org")
    client.force_login(user)
    page = client.get(reverse("privacy:delete"))
    assert page.status_code == 200
    assert b"Your password" in page.content
    wrong = client.post(reverse("privacy:delete"), {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 400
    assert b"That password is not right." in wrong.content
    unticked = client.post(reverse("privacy:delete"), {"password": PASSWORD})
    assert unticked.status_code == 400
    user.refresh_from_db()
    assert user.is_active
    assert user.email == "carol@example.org"
    assert not DataRequest.objects.exists()
    done = client.post(reverse("privacy:delete"), {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 302
    assert done["Location"] == reverse("privacy:deleted")
    user.refresh_from_db()
    assert not user.is_active
    assert user.email.endswith("@erased.invalid")
    assert client.get(reverse("privacy:export")).status_code == 302  # signed out
    assert not client.login(email="carol@example.org", password=PASSWORD)


def a_backend_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is a snapshot
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def wait_until(predicate, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met")
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_an_order_placed_during_an_erasure_waits_then_is_refused():
    user = UserFactory(phone="+33699887766")
    address = AddressFactory(user=user)
    product = ProductFactory(price=Decimal("10.00"))
    outcome = {}

    def order_in_another_connection():
        try:
            outcome["order"] = place_order(user, address, product)
        except Exception as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    from django.db import transaction

    with transaction.atomic():
        data_rights.erase_person(user)
        worker = threading.Thread(target=order_in_another_connection)
        worker.start()
        wait_until(lambda: a_backend_waits_for_a_lock() or not worker.is_alive())
        assert worker.is_alive(), outcome  # the order waits for the erasure's lock on the account row
    worker.join(10)
    assert isinstance(outcome.get("error"), shop_services.CheckoutError)
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_erasure_during_an_order_waits_then_anonymises_it():
    user = UserFactory(email="dave@example.org")
    address = AddressFactory(user=user)
    product = ProductFactory(price=Decimal("10.00"))
    entered, release = threading.Event(), threading.Event()
    outcome = {}
    real = shop_checkout.record_disclosure

    def slow_disclosure(**kwargs):
        entered.set()
        release.wait(10)
        return real(**kwargs)

    def order_in_another_connection():
        try:
            with mock.patch("shop.services.checkout.record_disclosure", slow_disclosure):
                outcome["order"] = place_order(user, address, product)
        finally:
            connections.close_all()

    worker = threading.Thread(target=order_in_another_connection)
    worker.start()
    assert entered.wait(10)  # the order holds the account row lock
    eraser = threading.Thread(target=lambda: (data_rights.erase_person(user), connections.close_all()))
    eraser.start()
    wait_until(a_backend_waits_for_a_lock)
    release.set()
    worker.join(10)
    eraser.join(10)
    order = Order.objects.get()
    assert order.pk == outcome["order"].pk
    assert order.email.endswith("@erased.invalid")
    assert order.shipping_address["full_name"] == "Erased customer"
    assert DataRequest.objects.get().status == "completed"


@pytest.mark.django_db
def test_signing_up_again_with_an_erased_address_keeps_it_out_of_mailings(topics):
    alice = UserFactory(email="alice@example.org")
    data_rights.erase_person(alice)
    again = UserFactory(email="alice@example.org")
    subscriber = subscription_services.subscribe_from_signup(
        user=again, email=again.email, topics=[topics["newsletter"]]
    )
    subscription_services.confirm_account_subscriber(user=again)
    subscriber.refresh_from_db()
    assert subscriber.suppressed_reason == "erasure"
    assert not eligible_subscriptions(topics["newsletter"]).filter(subscriber=subscriber).exists()


@pytest.mark.django_db
def test_the_export_list_costs_the_same_queries_with_1_or_10_files(client, django_assert_max_num_queries):
    user = UserFactory()
    client.force_login(user)

    def add(n):
        for _ in range(n):
            DataExport.objects.create(
                user=user,
                status="ready",
                content=json.dumps({"format": "x", "sections": {}}),
                ready_at=timezone.now(),
                expires_at=timezone.now() + datetime.timedelta(days=7),
            )

    add(1)
    client.get(reverse("privacy:export"))  # warm the session
    with django_assert_max_num_queries(8) as one:
        client.get(reverse("privacy:export"))
    add(9)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("privacy:export")).content.decode()
    assert page.count("Download JSON") == 10


@pytest.mark.django_db
def test_the_database_refuses_a_request_due_before_it_was_received():
    from django.db import IntegrityError

    now = timezone.now()
    with pytest.raises(IntegrityError):
        DataRequest.objects.create(kind="export", received_at=now, due_at=now - datetime.timedelta(days=1))
