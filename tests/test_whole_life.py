"""Issue 13, check 3: whole lives, played at random by Hypothesis for two people at once: sign up, change the email
address, choose topics, pause, unsubscribe, write and edit reviews, enter contests, write to support, order, get
shipped, receive mailings over several weeks, download the data, delete the account, sign up again.

After every step: every newsletter sent went to someone eligible in its slot; nobody got more marketing emails in
a week than SUBSCRIPTIONS_WEEKLY_CAP, nor two in one slot (topics due together come as one email); every order and
shipping email went out whatever the marketing choices; an export holds the person's addresses and nobody else's.
After an erasure no address or name of the person survives in any table (outside the documented exceptions, which
hold none) and privacy_audit is clean. WHOLE_LIFE_EXAMPLES sets how many lives
(default 12, scaled by FUZZ_SCALE; a deep run: 200 or more).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import uuid
from collections import Counter
from decimal import Decimal
from unittest import mock

import pytest
from allauth.account import signals as allauth_signals
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Verbosity
from hypothesis import settings as run_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from privacy import data_rights
from reviews import services as review_services
from shop import services as shop_services
from shop.cart import CartLine
from shop.models import Contest, OrderEmail
from subscriptions import mailing
from subscriptions import services as subscription_services
from subscriptions.app_settings import app_settings
from subscriptions.data_rights import emails_over_weekly_cap
from subscriptions.models import Delivery, Edition, Topic
from subscriptions.schedule import configured_slots, due_frequencies, week_of
from subscriptions.selectors import eligible_subscriptions
from tests.factories import AddressFactory, ProductFactory, UserFactory, launch_topics
from tests.fuzz import examples

PEOPLE = ("ann", "bob")
EXAMPLES = int(os.environ.get("WHOLE_LIFE_EXAMPLES", examples(12)))


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND data_type IN ('character varying', 'text', 'jsonb')"
        )
        return cursor.fetchall()


def tables_holding(needles: set[str], columns) -> list[str]:
    """Every text column that holds any of the needles (one query per column)."""
    found = []
    patterns = [f"%{needle}%" for needle in sorted(needles)]
    with connection.cursor() as cursor:
        for table, column in columns:
            cursor.execute(
                f'SELECT "{column}"::text FROM "{table}" WHERE "{column}"::text ILIKE ANY(%s) LIMIT 1',  # noqa: S608
                [patterns],
            )
            row = cursor.fetchone()
            if row:
                found.append(f"{table}.{column}: {row[0][:120]}")
    return found


class Life(RuleBasedStateMachine):
    done: dict[str, int] = {}  # how often each step really ran, across every life (the test asserts it covered them)

    def _did(self, step: str) -> None:
        Life.done[step] = Life.done.get(step, 0) + 1

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        mail.outbox = []
        self.topics = launch_topics()
        self.product = ProductFactory(price=Decimal("12.00"))
        now = timezone.now()
        self.contest = Contest.objects.create(
            title="Life draw",
            slug=f"life-{uuid.uuid4().hex[:8]}",
            prize="Socks",
            starts_at=now - datetime.timedelta(days=1),
            ends_at=now + datetime.timedelta(days=30),
        )
        self.columns = _text_columns()
        self.people: dict[str, dict] = {}
        self.serial = 0
        self.week = 0
        self.erased_identifiers: set[str] = set()
        self.transactional_expected = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # helpers ---------------------------------------------------------------------------------------------------

    def _fresh(self, who: str) -> str:
        self.serial += 1
        return f"{who}{self.serial}.life@example.org"

    def _live(self, who):
        person = self.people.get(who)
        return person if person is not None and not person.get("erased") else None

    # rules -----------------------------------------------------------------------------------------------------

    @initialize(topic=st.sampled_from(["newsletter", "new-brands-and-styles", "contests"]))
    def start(self, topic):
        """Both people have an account and the newsletter twice a week when a life starts, and one more topic weekly
        (Hypothesis tries many short lives: without this most would end before anyone got a mailing, or two topics
        in one email, or the weekly cap). Later steps erase them, sign them up again, change all."""
        for who in PEOPLE:
            self.sign_up(who)
            self.choose_topic(who, "newsletter", "twice_weekly")
            if topic != "newsletter":
                self.choose_topic(who, topic, "weekly")

    @rule(who=st.sampled_from(PEOPLE))
    def sign_up(self, who):
        if self._live(who):
            return
        email = self._fresh(who)
        user = UserFactory(
            email=email,
            first_name=f"{who.capitalize()}first{self.serial}",
            last_name=f"{who.capitalize()}last{self.serial}",
        )
        subscription_services.subscriber_for_user(user=user)
        self.people[who] = {"user": user, "emails": {email}}
        self._did("sign_up")

    @rule(who=st.sampled_from(PEOPLE))
    def change_email(self, who):
        person = self._live(who)
        if person is None:
            return
        user = person["user"]
        old = EmailAddress.objects.get(user=user, primary=True)
        new = EmailAddress.objects.create(user=user, email=self._fresh(who), verified=True)
        allauth_signals.email_confirmed.send(sender=EmailAddress, request=None, email_address=new)
        new.set_as_primary()
        allauth_signals.email_changed.send(
            sender=EmailAddress, request=None, user=user, from_email_address=old, to_email_address=new
        )
        user.refresh_from_db()
        person["emails"].add(new.email)
        self._did("change_email")

    @rule(
        who=st.sampled_from(PEOPLE),
        slug=st.sampled_from(["newsletter", "new-brands-and-styles", "contests"]),
        value=st.sampled_from(["twice_weekly", "weekly", "monthly", "paused", "off"]),
    )
    def choose_topic(self, who, slug, value):
        person = self._live(who)
        if person is None or value not in [*self.topics[slug].allowed_frequencies, "paused", "off"]:
            return
        subscriber = subscription_services.subscriber_for_user(user=person["user"])
        subscription_services.update_topics(
            subscriber=subscriber, choices={self.topics[slug]: value}, method="preference_center"
        )

    @rule(who=st.sampled_from(PEOPLE))
    def unsubscribe_all(self, who):
        person = self._live(who)
        if person is not None:
            subscriber = subscription_services.subscriber_for_user(user=person["user"])
            subscription_services.unsubscribe_all(subscriber=subscriber, method="preference_center")

    @rule(who=st.sampled_from(PEOPLE), rating=st.integers(1, 5))
    def write_review(self, who, rating):
        person = self._live(who)
        if person is not None:
            review_services.submit_review(
                product=self.product,
                rating=rating,
                title=f"{who} thinks",
                body="Fits well.",
                display_name=person["user"].first_name,
                email=person["user"].email,
                city="Lyon",
                country="FR",
                account=person["user"],  # logged in with the address: confirmed at once, an edit replaces
            )

    @rule(who=st.sampled_from(PEOPLE))
    def enter_contest(self, who):
        person = self._live(who)
        if person is not None:
            with contextlib.suppress(shop_services.ContestError):
                shop_services.enter_contest(
                    contest=self.contest,
                    first_name=person["user"].first_name,
                    city="Nantes",
                    email=person["user"].email,
                    list_publicly=False,
                )

    @rule(who=st.sampled_from(PEOPLE))
    def write_to_support(self, who):
        person = self._live(who)
        if person is not None:
            user = person["user"]
            shop_services.open_ticket(
                name=user.get_full_name(), email=user.email, subject="Sizes?", message="Do you have 44?", user=user
            )

    @rule(who=st.sampled_from(PEOPLE), ship=st.booleans())
    def order(self, who, ship):
        person = self._live(who)
        if person is None:
            return
        user = person["user"]
        address = AddressFactory(user=user, is_default=False, full_name=user.get_full_name())
        with mock.patch("shop.services.outbox.enqueue_order_email"):
            order = shop_services.place_order(
                user=user,
                lines=[CartLine(key="k", product=self.product, style=None, quantity=1)],
                shipping_address=address,
                billing_address=address,
                carrier="dhl",
                payment_token="tok_test_visa_4242_life0001",
                expected_total=self.product.price + shop_services.shipping_cost("dhl"),
                checkout_key=uuid.uuid4(),
            )
            if ship:
                shop_services.ship_order(order=order, carrier="dhl", tracking_number=f"T{order.pk}")
        for row in OrderEmail.objects.filter(order=order, sent_at__isnull=True):
            shop_services.deliver_order_email(outbox_id=row.pk)
            self.transactional_expected += 1
            self._did("order_email")

    @rule()
    def mailing_slot(self):
        """A week of mailings as beat runs them: every configured slot, then one more edition later that week (an
        extra campaign staff scheduled), each slot with an edition per topic, planned together and sent."""
        self.week += 1
        base = timezone.localdate() + datetime.timedelta(weeks=self.week)
        moments = [slot.on_week_of(base) for slot in configured_slots()]
        moments.append(moments[-1] + datetime.timedelta(hours=1))
        for slot_at in moments:
            editions = [
                Edition.objects.create(
                    topic=topic,
                    subject=f"{topic.slug} week {self.week}",
                    body_text="Hi",
                    body_html="<p>Hi</p>",
                    slot_at=slot_at,
                    status=Edition.Status.SCHEDULED,
                )
                for topic in Topic.objects.filter(is_active=True)
            ]
            eligible = {
                edition.pk: set(
                    eligible_subscriptions(
                        edition.topic, frequencies=due_frequencies(slot_at), on=slot_at.date()
                    ).values_list("subscriber_id", flat=True)
                )
                for edition in editions
            }
            outbox_before = len(mail.outbox)
            mailing.run_slot(slot_at=slot_at)
            for edition in editions:
                mailing.send_batch(edition_id=edition.pk)
            for edition in editions:
                sent = set(
                    Delivery.objects.filter(edition=edition, status="sent").values_list("subscriber_id", flat=True)
                )
                assert sent <= eligible[edition.pk], "a newsletter went to someone not eligible in its slot"
                if sent:
                    self._did("newsletter_sent")
            marketing = [m for m in mail.outbox[outbox_before:] if m.tags and m.tags[0] == "commercial"]
            people = [tuple(m.to) for m in marketing]
            assert len(people) == len(set(people)), "someone got two marketing emails in one slot"
            if any("sections" in m.metadata for m in marketing):
                self._did("combined_email")
        week = week_of(moments[0])
        emails = Counter(
            Delivery.objects.filter(week=week, carried_by__isnull=True, status="sent").values_list(
                "subscriber_id", flat=True
            )
        )
        assert max(emails.values(), default=0) <= app_settings.WEEKLY_CAP, "more marketing emails than the cap"
        if max(emails.values(), default=0) == app_settings.WEEKLY_CAP:
            self._did("weekly_cap_reached")

    @rule(who=st.sampled_from(PEOPLE))
    def export(self, who):
        person = self._live(who)
        if person is None:
            return
        text = json.dumps(data_rights.build_export_payload(person["user"]))
        assert person["user"].email in text
        for other, data in self.people.items():
            if other != who:
                for email in data["emails"]:
                    assert email not in text, "an export holds someone else's address"
        self._did("export")

    @rule(who=st.sampled_from(PEOPLE))
    def erase(self, who):
        person = self._live(who)
        if person is None:
            return
        user = person["user"]
        data_rights.erase_person(user)
        person["erased"] = True
        self.erased_identifiers |= person["emails"] | {user.first_name, user.last_name}
        # the same person may sign up again later under a new address: that account is someone new to us
        leftovers = tables_holding(self.erased_identifiers, self.columns)
        assert leftovers == [], leftovers
        findings = [f for f in data_rights.run_audit() if f.count]
        assert findings == [], findings
        self._did("erase")

    # invariants ------------------------------------------------------------------------------------------------

    @invariant()
    def nobody_gets_more_marketing_emails_a_week_than_the_cap(self):
        assert emails_over_weekly_cap() == (0, [])

    @invariant()
    def order_and_shipping_emails_always_go(self):
        kinds = [m for m in mail.outbox if getattr(m, "tags", None) and m.tags[0] in {"order", "shipping"}]
        assert len(kinds) == self.transactional_expected


@pytest.mark.django_db
def test_whole_lives_keep_every_promise(settings):
    Life.done = {}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    run_state_machine_as_test(
        Life,
        settings=run_settings(
            max_examples=EXAMPLES,
            stateful_step_count=25,
            deadline=None,
            verbosity=Verbosity.verbose if os.environ.get("WHOLE_LIFE_VERBOSE") else Verbosity.normal,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print("\n  whole lives: steps run", dict(sorted(Life.done.items())))
    # Every life starts with two people on two topics, so mailings are always reached. Whether 12 random lives also
    # reach an order, an export or an erasure is chance (one CI run had no order in 12 lives): the
    # default run asserts what start() guarantees; 25 lives or more (a deep run) must have covered every kind.
    assert {"sign_up", "newsletter_sent"} <= set(Life.done), Life.done
    if EXAMPLES >= 25:
        assert {
            "sign_up",
            "change_email",
            "export",
            "erase",
            "newsletter_sent",
            "combined_email",
            "weekly_cap_reached",
            "order_email",
        } <= set(Life.done), Life.done
