import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from privacy.models import ConsentEvent
from subscriptions import mailing, services
from subscriptions.models import Delivery, Edition, Subscriber, Subscription
from subscriptions.schedule import shop_zone
from tests.factories import SubscriberFactory, SubscriptionFactory, UserFactory

FIRST_TUESDAY = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=shop_zone())  # weekly and monthly are due too
FRIDAY = datetime.datetime(2026, 12, 4, 9, 0, tzinfo=shop_zone())  # only twice-weekly


def make_edition(topic, slot_at=FIRST_TUESDAY, **fields) -> Edition:
    defaults = {
        "subject": "December picks",
        "preheader": "Warm coats, warm prices",
        "body_text": "Hello from {{ SHOP_NAME }}. Topic: {{ topic.name }}.",
        "body_html": "<p>Hello from {{ SHOP_NAME }}.</p><p>Topic: {{ topic.name }}</p>",
        "status": Edition.Status.SCHEDULED,
        "slot_at": slot_at,
    }
    return Edition.objects.create(topic=topic, **{**defaults, **fields})


@pytest.fixture
def population(topics):
    """One subscription per rule, on the newsletter topic."""
    newsletter = topics["newsletter"]
    now = timezone.now()

    def sub(email, frequency="twice_weekly", subscriber=None, **fields):
        subscriber = subscriber or SubscriberFactory(email=email)
        return SubscriptionFactory(subscriber=subscriber, topic=newsletter, frequency=frequency, **fields)

    deactivated = UserFactory(email="deactivated@example.com", is_active=False)
    return {
        "twice": sub("twice@example.com"),
        "weekly": sub("weekly@example.com", "weekly"),
        "monthly": sub("monthly@example.com", "monthly"),
        "paused": sub("paused@example.com", "paused"),
        "paused_until": sub("paused-until@example.com", paused_until=datetime.date(2026, 12, 10)),
        "topic_unsubscribed": sub("topic-off@example.com", state="unsubscribed"),
        "all_unsubscribed": sub(
            "all-off@example.com", subscriber=SubscriberFactory(email="all-off@example.com", unsubscribed_all_at=now)
        ),
        "unconfirmed": sub(
            "unconfirmed@example.com",
            subscriber=SubscriberFactory(email="unconfirmed@example.com", confirmed_at=None),
            state="pending",
        ),
        "bounced": sub(
            "bounced@example.com",
            subscriber=SubscriberFactory(email="bounced@example.com", suppressed_reason="bounce", suppressed_at=now),
        ),
        "complained": sub(
            "complained@example.com",
            subscriber=SubscriberFactory(
                email="complained@example.com", suppressed_reason="complaint", suppressed_at=now
            ),
        ),
        "deactivated": sub(
            "deactivated@example.com", subscriber=SubscriberFactory(email="deactivated@example.com", user=deactivated)
        ),
        "other_topic": SubscriptionFactory(
            subscriber=SubscriberFactory(email="contests@example.com"), topic=topics["contests"]
        ),
    }


def recipients() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


@pytest.mark.django_db
def test_an_edition_reaches_exactly_the_eligible_set(population, topics):
    edition = make_edition(topics["newsletter"])
    queued = mailing.plan_edition(edition_id=edition.pk)
    assert queued == 3
    result = mailing.send_batch(edition_id=edition.pk)
    assert (result.sent, result.skipped, result.failed) == (3, 0, 0)
    assert recipients() == {"twice@example.com", "weekly@example.com", "monthly@example.com"}
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT


@pytest.mark.django_db
def test_a_friday_slot_reaches_only_twice_weekly_subscribers(population, topics):
    edition = make_edition(topics["newsletter"], slot_at=FRIDAY)
    mailing.plan_edition(edition_id=edition.pk)
    mailing.send_batch(edition_id=edition.pk)
    assert recipients() == {"twice@example.com"}


@pytest.mark.django_db
def test_planning_twice_adds_nothing(population, topics):
    edition = make_edition(topics["newsletter"])
    assert mailing.plan_edition(edition_id=edition.pk) == 3
    assert mailing.plan_edition(edition_id=edition.pk) == 3
    assert Delivery.objects.filter(edition=edition).count() == 3


@pytest.mark.django_db
def test_planning_is_set_based(topics, django_assert_max_num_queries):
    SubscriptionFactory.create_batch(40, topic=topics["newsletter"], frequency="twice_weekly")
    edition = make_edition(topics["newsletter"])
    # lock, edition, INSERT … SELECT, ANALYZE (fresh statistics), cap UPDATE, save, counts: whatever the audience
    with django_assert_max_num_queries(9):
        assert mailing.plan_edition(edition_id=edition.pk) == 40


@pytest.mark.django_db
def test_an_unsubscribe_committed_after_planning_stops_that_email(population, topics):
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    services.unsubscribe_topic(
        subscriber=population["weekly"].subscriber, topic=topics["newsletter"], method=ConsentEvent.Method.EMAILED_LINK
    )
    result = mailing.send_batch(edition_id=edition.pk)
    assert (result.sent, result.skipped) == (2, 1)
    assert "weekly@example.com" not in recipients()
    skipped = Delivery.objects.get(edition=edition, status=Delivery.Status.SKIPPED)
    assert skipped.subscriber.email == "weekly@example.com"


@pytest.mark.django_db
def test_sending_costs_at_most_10_statements_per_1000_recipients(topics, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    subscribers = Subscriber.objects.bulk_create(
        [Subscriber(email=f"bulk{i}@example.com", confirmed_at=timezone.now()) for i in range(1000)]
    )
    Subscription.objects.bulk_create(
        [
            Subscription(subscriber=s, topic=topics["newsletter"], frequency="twice_weekly", state="active")
            for s in subscribers
        ]
    )
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    with CaptureQueriesContext(connection) as captured:
        result = mailing.send_batch(edition_id=edition.pk, size=1000)
    # The test's own transaction turns the claim's transaction into savepoints; a worker has none.
    statements = [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) <= 10, statements
    assert result.sent == 1000
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT


@pytest.mark.django_db
def test_every_commercial_message_carries_one_click_headers_and_working_footer_links(population, topics):
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    mailing.send_batch(edition_id=edition.pk)
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert unsubscribe.startswith("http://testserver/unsubscribe/") or "/unsubscribe/" in unsubscribe
        html = message.alternatives[0][0]
        assert unsubscribe in message.body
        assert unsubscribe in html
        assert "Warm coats, warm prices" in html  # the preheader
        assert "1 Market Street" in message.body
        assert message.extra_headers["Message-ID"].startswith("<delivery-")
        assert "commercial" in message.tags
    # Follow one message's links: the unsubscribe page, the preferences page, then a one-click POST.
    message = next(m for m in mail.outbox if m.to == ["weekly@example.com"])
    path = "/" + message.extra_headers["List-Unsubscribe"].strip("<>").split("/", 3)[3]
    preferences = next(line for line in message.body.splitlines() if "/preferences/" in line).split(": ", 1)[1]
    client = Client(enforce_csrf_checks=True)
    assert client.get(path).status_code == 200
    assert client.get("/" + preferences.split("/", 3)[3]).status_code == 200
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Subscription.objects.get(pk=population["weekly"].pk).state == "unsubscribed"


@pytest.mark.django_db
def test_an_unconfirmed_guest_never_gets_commercial_mail_even_when_planned_by_hand(topics):
    subscription = SubscriptionFactory(
        topic=topics["newsletter"], frequency="twice_weekly", subscriber=SubscriberFactory(confirmed_at=None)
    )
    edition = make_edition(topics["newsletter"])
    Delivery.objects.create(edition=edition, subscriber=subscription.subscriber, subscription=subscription)
    assert mailing.plan_edition(edition_id=edition.pk) == 1  # the planner itself would not have added it
    result = mailing.send_batch(edition_id=edition.pk)
    assert (result.sent, result.skipped) == (0, 1)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_cancelled_or_draft_edition_is_never_planned(population, topics):
    for status in [Edition.Status.DRAFT, Edition.Status.CANCELLED]:
        edition = make_edition(topics["newsletter"], status=status)
        assert mailing.plan_edition(edition_id=edition.pk) == 0
        assert not edition.deliveries.exists()


@pytest.mark.django_db
def test_a_stalled_batch_is_resumed_once_its_lease_runs_out(population, topics):
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    mail.outbox.clear()
    # A worker claimed everything, then died before sending.
    Delivery.objects.filter(edition=edition).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    assert mailing.resume_stalled_editions() == 1  # the eager task ran the batch
    assert recipients() == {"twice@example.com", "weekly@example.com", "monthly@example.com"}
    assert mailing.resume_stalled_editions() == 0
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT


@pytest.mark.django_db
def test_a_claimed_batch_is_not_taken_by_a_second_worker_before_its_lease_ends(population, topics):
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    mail.outbox.clear()
    Delivery.objects.filter(edition=edition).update(lease_until=timezone.now() + datetime.timedelta(minutes=5))
    assert mailing.send_batch(edition_id=edition.pk).claimed == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_alerts_wait_for_the_next_slot_and_go_out_as_one_digest(topics, django_capture_on_commit_callbacks):
    SubscriptionFactory(
        topic=topics["new-brands-and-styles"],
        frequency="twice_weekly",
        subscriber=SubscriberFactory(email="alerts@example.com"),
    )
    services.queue_alert(title="New brand: Nordlys", link="https://shop.example.com/b/nordlys", source="brand:1")
    services.queue_alert(title="Nordlys parka, in red", link="https://shop.example.com/p/parka", source="style:7")
    services.queue_alert(title="New brand: Nordlys", link="https://shop.example.com/b/nordlys", source="brand:1")
    assert mail.outbox == []  # never an immediate send
    with django_capture_on_commit_callbacks(execute=True):
        mailing.run_slot(slot_at=FRIDAY)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "New brand: Nordlys" in body
    assert "Nordlys parka, in red" in body
    assert body.count("New brand: Nordlys") == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mailing.run_slot(slot_at=FRIDAY + datetime.timedelta(days=4))
    assert mail.outbox == []  # nothing new, no digest


@pytest.mark.django_db
def test_send_mailing_runs_a_slot_now(population, topics, settings, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    settings.SUBSCRIPTIONS_MAILING_SLOTS = "tue@09:00,fri@09:00"
    from subscriptions.schedule import Slot, latest_slot

    slot_at = latest_slot(slot=Slot.parse("tue@09:00"))
    make_edition(topics["newsletter"], slot_at=slot_at)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_mailing", "--slot", "tue@09:00")
    assert "twice@example.com" in recipients()
    assert "all-off@example.com" not in recipients()


@pytest.mark.django_db
def test_a_slot_removed_from_mailing_slots_plans_nothing(population, topics, settings):
    """A periodic task left behind in the database scheduler after MAILING_SLOTS changed does not send."""
    from subscriptions.models import Delivery
    from subscriptions.schedule import Slot, latest_slot
    from subscriptions.tasks import run_mailing_slot

    settings.SUBSCRIPTIONS_MAILING_SLOTS = "tue@09:00,fri@09:00"
    edition = make_edition(topics["newsletter"], slot_at=latest_slot(slot=Slot.parse("fri@09:00")))
    settings.SUBSCRIPTIONS_MAILING_SLOTS = "tue@09:00"
    assert run_mailing_slot("fri@09:00") == []
    assert not Delivery.objects.filter(edition=edition).exists()
    settings.SUBSCRIPTIONS_MAILING_SLOTS = "tue@09:00,fri@09:00"
    assert run_mailing_slot("fri@09:00") == [edition.pk]


@pytest.mark.django_db
def test_send_mailing_refuses_a_bad_slot():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="not a slot"):
        call_command("send_mailing", "--slot", "someday")


@pytest.mark.django_db
def test_open_beacons_only_for_account_holders_who_allowed_analytics(topics):
    from privacy.services import save_cookie_choice

    newsletter = topics["newsletter"]
    allowed, refused = UserFactory(email="allowed@example.com"), UserFactory(email="refused@example.com")
    save_cookie_choice(user=allowed, categories=["analytics"])
    save_cookie_choice(user=refused, categories=[])
    for email, user in [
        ("allowed@example.com", allowed),
        ("refused@example.com", refused),
        ("guest@example.com", None),
    ]:
        SubscriptionFactory(
            subscriber=SubscriberFactory(email=email, user=user), topic=newsletter, frequency="twice_weekly"
        )
    edition = make_edition(newsletter)
    mailing.plan_edition(edition_id=edition.pk)
    mailing.send_batch(edition_id=edition.pk)
    beacons = {m.to[0]: m.track_opens for m in mail.outbox}
    assert beacons == {"allowed@example.com": True, "refused@example.com": False, "guest@example.com": False}
    assert all(m.track_clicks is False for m in mail.outbox)


@pytest.mark.django_db
def test_the_dashboard_lists_the_emails_we_sent_without_keeping_addresses(client, topics):
    from django.urls import reverse

    from accounts.emails import send_welcome
    from subscriptions.models import SentEmail

    user = UserFactory(email="Reader@Example.com", first_name="Rita")
    other = UserFactory(email="other@example.com")
    send_welcome(user)
    send_welcome(other)
    SubscriptionFactory(
        subscriber=SubscriberFactory(email="reader@example.com", user=user),
        topic=topics["newsletter"],
        frequency="twice_weekly",
    )
    edition = make_edition(topics["newsletter"], subject="Winter sale starts")
    mailing.plan_edition(edition_id=edition.pk)
    mailing.send_batch(edition_id=edition.pk)
    assert not SentEmail.objects.filter(recipient_hash__icontains="example").exists()
    assert SentEmail.objects.count() == 2
    client.force_login(user)
    page = client.get(reverse("privacy:dashboard")).content.decode()
    assert "Emails we sent you" in page
    assert "Winter sale starts" in page
    assert "Marketing: Newsletter and special offers" in page
    assert page.count("Welcome to Example Shop") == 1  # theirs, not the other person's
