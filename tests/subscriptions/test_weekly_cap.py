"""Issue 13, item 7: "twice a week" is per person, not per topic. One person gets at most SUBSCRIPTIONS_WEEKLY_CAP
(2) marketing emails a week across all topics, and topics due in the same slot arrive as one email with a section
per topic, each with its own unsubscribe link; the email's one-click List-Unsubscribe stops the topics in it."""

import contextlib
import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from privacy.data_rights import run_audit
from privacy.models import ConsentEvent
from subscriptions import mailing, services
from subscriptions.mailing.planning import WEEKLY_CAP_REACHED
from subscriptions.models import Delivery, Edition, MessageKind, Subscription
from subscriptions.schedule import shop_zone, week_of
from subscriptions.selectors import audience_breakdown
from subscriptions.services import send_transactional
from tests.factories import StaffFactory, SubscriberFactory, SubscriptionFactory, TopicFactory

# Three slots a week, so three topics at "twice a week" would once have meant up to nine emails a week.
SLOTS = "mon@09:00,wed@09:00,fri@09:00"
MONDAY = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=shop_zone())
WEDNESDAY = MONDAY + datetime.timedelta(days=2)
FRIDAY = MONDAY + datetime.timedelta(days=4)
NEXT_MONDAY = MONDAY + datetime.timedelta(weeks=1)


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory(email="staff@example.com"))
    return client


@pytest.fixture
def three_topics(topics, settings):
    settings.SUBSCRIPTIONS_MAILING_SLOTS = SLOTS
    extra = TopicFactory(slug="lookbook", name="Lookbook", position=15)
    return [topics["newsletter"], extra, topics["new-brands-and-styles"]]


@pytest.fixture
def fan(three_topics):
    """Subscribed to all three topics, twice a week each."""
    subscriber = SubscriberFactory(email="fan@example.com")
    for topic in three_topics:
        SubscriptionFactory(subscriber=subscriber, topic=topic, frequency="twice_weekly")
    return subscriber


def run(slot_at, topics) -> list[Edition]:
    """A slot as beat runs it: staff scheduled one edition per topic; plan them together, send every batch."""
    editions = [
        Edition.objects.create(
            topic=topic,
            subject=f"{topic.name} on {slot_at:%a %d}",
            body_text=f"Text of {topic.slug}. Leave: {{{{ unsubscribe_url }}}}",
            body_html=f'<p>HTML of {topic.slug}</p><a href="{{{{ unsubscribe_url }}}}">Leave {topic.slug}</a>',
            slot_at=slot_at,
            status=Edition.Status.SCHEDULED,
        )
        for topic in topics
    ]
    mailing.run_slot(slot_at=slot_at)
    for edition in editions:
        mailing.send_batch(edition_id=edition.pk)
    return editions


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def links(text: str, kind: str) -> list[str]:
    return list(dict.fromkeys(re.findall(rf"https?://\S+?/unsubscribe/{kind}[^\s\"<>]+/", text)))


@pytest.mark.django_db
def test_three_topics_twice_a_week_make_one_email_per_slot_and_at_most_two_a_week(fan, three_topics):
    solo = SubscriberFactory(email="solo@example.com")
    SubscriptionFactory(subscriber=solo, topic=three_topics[1], frequency="twice_weekly")

    monday = run(MONDAY, three_topics)
    [email] = to("fan@example.com")
    for topic in three_topics:
        assert f"HTML of {topic.slug}" in email.alternatives[0][0]
        assert f"Text of {topic.slug}" in email.body
    assert email.subject.startswith("Newsletter and special offers on Mon 07")  # the first topic leads
    assert "Lookbook" in email.subject
    assert "New brands" in email.subject
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/email/" in email.extra_headers["List-Unsubscribe"]
    assert len(set(re.findall(r"/unsubscribe/(?!email/)[^\s\"<>]+/", email.body))) == 3  # one per section
    [solo_email] = to("solo@example.com")
    assert "Text of lookbook" in solo_email.body
    assert "Text of newsletter" not in solo_email.body

    # Auditable: the fan's email is one row (the lead); the other editions' rows say they went in it.
    rows = {d.edition_id: d for d in Delivery.objects.filter(subscriber=fan)}
    lead = rows[monday[0].pk]
    assert lead.carried_by_id is None
    assert lead.status == Delivery.Status.SENT
    for edition in monday[1:]:
        assert rows[edition.pk].carried_by_id == lead.pk
        assert rows[edition.pk].status == Delivery.Status.SENT
        assert rows[edition.pk].esp_message_id == lead.esp_message_id
    assert {e.status for e in Edition.objects.filter(pk__in=[e.pk for e in monday])} == {Edition.Status.SENT}

    run(WEDNESDAY, three_topics)
    friday = run(FRIDAY, three_topics)
    assert len(to("fan@example.com")) == 2  # the cap: Friday's slot finds two this week already
    assert set(Delivery.objects.filter(subscriber=fan, edition__in=friday).values_list("status", "error")) == {
        (Delivery.Status.SKIPPED, WEEKLY_CAP_REACHED)
    }
    assert len(to("solo@example.com")) == 2  # one topic, twice a week: capped at two as well
    assert {e.status for e in Edition.objects.filter(pk__in=[e.pk for e in friday])} == {Edition.Status.SENT}

    run(NEXT_MONDAY, three_topics)  # a new ISO week
    assert len(to("fan@example.com")) == 3
    assert next(f for f in run_audit() if f.key == "emails_over_weekly_cap").count == 0


@pytest.mark.django_db
def test_the_cap_setting_changes_what_arrives(fan, three_topics, settings):
    settings.SUBSCRIPTIONS_WEEKLY_CAP = 1
    run(MONDAY, three_topics)
    run(WEDNESDAY, three_topics)
    assert len(to("fan@example.com")) == 1
    settings.SUBSCRIPTIONS_WEEKLY_CAP = 3
    run(FRIDAY, three_topics)
    assert len(to("fan@example.com")) == 2  # Wednesday's skip stays skipped; Friday is under the new cap
    assert audience_breakdown(Edition.objects.filter(slot_at=FRIDAY).first()).cap == 3


@pytest.mark.django_db
def test_transactional_mail_ignores_the_cap(fan, three_topics):
    run(MONDAY, three_topics)
    run(WEDNESDAY, three_topics)
    run(FRIDAY, three_topics)
    mail.outbox.clear()
    send_transactional(
        to="fan@example.com",
        template="email/subscriptions/confirm",
        context={"confirm_url": "https://example.com/x", "topics": []},
        kind=MessageKind.ACCOUNT,
    )
    assert len(to("fan@example.com")) == 1


@pytest.mark.django_db
def test_the_combined_emails_one_click_stops_its_topics_and_a_sections_link_stops_one(fan, three_topics, topics):
    other = SubscriptionFactory(subscriber=fan, topic=topics["contests"], frequency="weekly")
    run(MONDAY, three_topics)  # no contests edition this slot: not in the email
    [email] = to("fan@example.com")
    section = [u for u in links(email.body, "") if "/unsubscribe/email/" not in u][1]
    combined = re.search(r"<([^>]+)>", email.extra_headers["List-Unsubscribe"]).group(1)
    client = Client(enforce_csrf_checks=True)

    page = client.get(combined)
    assert page.status_code == 200
    assert "Lookbook" in page.content.decode()
    assert Subscription.objects.filter(subscriber=fan, state="active").count() == 4  # a GET changes nothing

    client.post(section, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert set(
        Subscription.objects.filter(subscriber=fan, state="unsubscribed").values_list("topic__slug", flat=True)
    ) == {"lookbook"}

    answer = client.post(combined, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    states = dict(Subscription.objects.filter(subscriber=fan).values_list("topic__slug", "state"))
    assert states == {
        "newsletter": "unsubscribed",
        "lookbook": "unsubscribed",
        "new-brands-and-styles": "unsubscribed",
        "contests": "active",  # not in that email: untouched
    }
    other.refresh_from_db()


@pytest.mark.django_db
def test_a_forged_or_edited_combined_link_changes_nothing(fan, three_topics):
    run(MONDAY, three_topics)
    [email] = to("fan@example.com")
    combined = re.search(r"<([^>]+)>", email.extra_headers["List-Unsubscribe"]).group(1)
    token = combined.rstrip("/").rsplit("/", 1)[1]
    client = Client(enforce_csrf_checks=True)
    for bad in [token[:-2] + "xx", token.replace(":", "", 1), "e30", "x" * 500]:
        answer = client.post(
            reverse("subscriptions:unsubscribe_email", args=[bad]),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert answer.status_code == 404
    # A topic's ordinary unsubscribe link is not a combined one, nor the other way round.
    section = next(u for u in links(email.body, "") if "/unsubscribe/email/" not in u)
    section_token = section.rstrip("/").rsplit("/", 1)[1]
    assert client.get(reverse("subscriptions:unsubscribe_email", args=[section_token])).status_code == 404
    assert client.get(reverse("subscriptions:unsubscribe", args=[token])).status_code == 404
    # An ordinary form post without the page's CSRF token is refused.
    assert client.post(combined, {"action": "unsubscribe"}).status_code == 403
    assert Subscription.objects.filter(subscriber=fan, state="active").count() == 3


@pytest.mark.django_db
def test_the_audit_finds_none_after_a_send_and_finds_a_planted_one(fan, three_topics):
    run(MONDAY, three_topics)
    run(WEDNESDAY, three_topics)

    def finding():
        return next(f for f in run_audit() if f.key == "emails_over_weekly_cap")

    assert finding().count == 0
    out = io.StringIO()
    with contextlib.suppress(SystemExit):  # (other apps' checks are not this test's business)
        call_command("privacy_audit", stdout=out)
    assert "ok    emails_over_weekly_cap" in out.getvalue()
    extra = Edition.objects.create(
        topic=three_topics[0], subject="x", body_text="x", body_html="x", slot_at=FRIDAY, status=Edition.Status.SENT
    )
    subscription = Subscription.objects.get(subscriber=fan, topic=three_topics[0])
    Delivery.objects.create(
        edition=extra,
        subscriber=fan,
        subscription=subscription,
        status=Delivery.Status.SENT,
        sent_at=FRIDAY,
        week=week_of(FRIDAY),
    )
    assert (finding().count, finding().examples) == (1, [fan.pk])
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("privacy_audit", stdout=out)
    assert "FOUND emails_over_weekly_cap: Marketing emails over the weekly cap" in out.getvalue()
    assert f"(e.g. ids {fan.pk})" in out.getvalue()
    assert "fan@example.com" not in out.getvalue()


@pytest.mark.django_db
def test_the_admin_audience_states_the_cap_and_the_combining(fan, three_topics, staff_client):
    editions = [
        Edition.objects.create(
            topic=topic, subject="s", body_text="t", body_html="h", slot_at=MONDAY, status=Edition.Status.SCHEDULED
        )
        for topic in three_topics
    ]
    audience = audience_breakdown(editions[0])
    assert (audience.will_receive, audience.combined, audience.cap) == (1, 1, 2)
    page = staff_client.get(reverse("admin:subscriptions_edition_change", args=[editions[0].pk])).content.decode()
    assert "one email, a section per topic" in page
    assert "more than 2 marketing emails a week" in page
    run(WEDNESDAY, three_topics)
    run(FRIDAY, three_topics)
    next_one = Edition.objects.create(
        topic=three_topics[0], subject="s", body_text="t", body_html="h", slot_at=FRIDAY + datetime.timedelta(hours=1)
    )
    assert audience_breakdown(next_one).skipped["weekly_cap"] == 1
    subscriber_page = staff_client.get(reverse("admin:subscriptions_subscriber_change", args=[fan.pk])).content.decode()
    assert "at most 2 marketing emails a week" in subscriber_page


@pytest.mark.django_db
def test_the_preference_center_says_what_a_person_will_receive_at_most(fan, client, settings):
    from subscriptions.tokens import Purpose, make_token

    settings.SUBSCRIPTIONS_WEEKLY_CAP = 1
    page = client.get(reverse("subscriptions:preferences_token", args=[make_token(fan, purpose=Purpose.PREFERENCES)]))
    assert "at most 1 marketing email a week" in page.content.decode()


@pytest.mark.django_db
def test_cancelling_the_leading_edition_still_sends_the_other_topics_as_one_email(fan, three_topics):
    editions = [
        Edition.objects.create(
            topic=topic,
            subject=f"{topic.slug}",
            body_text=f"Text of {topic.slug}",
            body_html=f"<p>{topic.slug}</p>",
            slot_at=MONDAY,
            status=Edition.Status.SCHEDULED,
        )
        for topic in three_topics
    ]
    mailing.run_slot(slot_at=MONDAY)
    mailing.cancel_edition(edition_id=editions[0].pk)
    for edition in editions[1:]:
        mailing.send_batch(edition_id=edition.pk)
    [email] = to("fan@example.com")
    assert "Text of lookbook" in email.body
    assert "Text of new-brands-and-styles" in email.body
    assert "Text of newsletter" not in email.body


def plan_monday(three_topics) -> list[Edition]:
    editions = [
        Edition.objects.create(
            topic=topic,
            subject=topic.slug,
            body_text=f"Text of {topic.slug}",
            body_html=f"<p>{topic.slug}</p>",
            slot_at=MONDAY,
            status=Edition.Status.SCHEDULED,
        )
        for topic in three_topics
    ]
    mailing.run_slot(slot_at=MONDAY)
    return editions


@pytest.mark.django_db
def test_an_unsubscribe_from_one_section_after_planning_leaves_that_section_out(fan, three_topics):
    editions = plan_monday(three_topics)
    services.unsubscribe_topic(subscriber=fan, topic=three_topics[1], method=ConsentEvent.Method.EMAILED_LINK)
    mailing.send_batch(edition_id=editions[0].pk)
    [email] = to("fan@example.com")
    assert "Text of newsletter" in email.body
    assert "Text of new-brands-and-styles" in email.body
    assert "Text of lookbook" not in email.body
    row = Delivery.objects.get(subscriber=fan, edition=editions[1])
    assert (row.status, row.error) == (Delivery.Status.SKIPPED, "not eligible at send time")


@pytest.mark.django_db
def test_an_unsubscribe_from_the_leading_topic_after_planning_holds_the_whole_email(fan, three_topics):
    editions = plan_monday(three_topics)
    services.unsubscribe_topic(subscriber=fan, topic=three_topics[0], method=ConsentEvent.Method.EMAILED_LINK)
    for edition in editions:
        mailing.send_batch(edition_id=edition.pk)
    assert to("fan@example.com") == []
    assert set(Delivery.objects.filter(subscriber=fan).values_list("status", flat=True)) == {Delivery.Status.SKIPPED}
    assert {e.status for e in Edition.objects.filter(pk__in=[e.pk for e in editions])} == {Edition.Status.SENT}


@pytest.mark.django_db
def test_a_section_whose_edition_staff_paused_is_left_out(fan, three_topics):
    editions = plan_monday(three_topics)
    mailing.pause_edition(edition_id=editions[2].pk)
    mailing.send_batch(edition_id=editions[0].pk)
    [email] = to("fan@example.com")
    assert "Text of new-brands-and-styles" not in email.body
    assert "Text of lookbook" in email.body
    mailing.resume_edition(edition_id=editions[2].pk)
    mailing.send_batch(edition_id=editions[2].pk)
    assert len(to("fan@example.com")) == 1  # nothing sent twice, nothing beyond the one email of the slot


@pytest.mark.django_db
def test_emails_we_sent_you_lists_a_combined_email_once_with_its_topics(fan, three_topics):
    from subscriptions.data_rights import export_deliveries
    from subscriptions.selectors import emails_sent_section
    from tests.factories import UserFactory

    fan.user = UserFactory(email="fan@example.com")
    fan.save(update_fields=["user"])
    run(MONDAY, three_topics)
    [row] = emails_sent_section(fan.user)
    assert row["Kind"] == "Marketing: Newsletter and special offers + Lookbook + New brands and product styles"
    exported = export_deliveries(fan.user)
    assert len(exported) == 3
    lead = next(d for d in exported if d["in_the_email_of_delivery"] is None)
    assert [d["in_the_email_of_delivery"] for d in exported if d is not lead] == [lead["delivery_id"]] * 2


@pytest.mark.django_db
def test_emails_we_sent_you_names_a_combined_emails_topics_in_the_readers_language(fan, three_topics):
    """Every topic of a combined email, the sections' too, in the reader's words (English where none was written)."""
    from django.utils import translation

    from subscriptions.models import TopicTranslation
    from subscriptions.selectors import emails_sent_section
    from tests.factories import UserFactory

    fan.user = UserFactory(email="fan@example.com")
    fan.save(update_fields=["user"])
    run(MONDAY, three_topics)
    for topic in three_topics:
        if topic.slug != "lookbook":
            TopicTranslation.objects.create(topic=topic, language="fr", name=f"FR {topic.slug}", description="")
    with translation.override("fr"):
        [row] = emails_sent_section(fan.user)
    assert row["Type"] == "Marketing : FR newsletter + Lookbook + FR new-brands-and-styles"
