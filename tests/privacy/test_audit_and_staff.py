"""privacy_audit finds each planted violation and nothing on a clean demo database; the staff queue and groups;
the policy page and the acknowledgement after a material change."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from privacy import data_rights, services
from privacy.models import AccessLog, ConsentEvent, DataExport, DataRequest, Disclosure, PolicyVersion
from subscriptions.models import Delivery, Edition
from tests.factories import (
    ReviewFactory,
    StaffFactory,
    SubscriberFactory,
    SubscriptionFactory,
    UserFactory,
    launch_topics,
)


def audit() -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("privacy_audit", stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def sent_delivery(subscriber, topic) -> Delivery:
    subscription = SubscriptionFactory(subscriber=subscriber, topic=topic)
    edition = Edition.objects.create(
        topic=topic, subject="Sale", body_text="x", body_html="x", status="sent", slot_at=timezone.now()
    )
    return Delivery.objects.create(
        edition=edition, subscriber=subscriber, subscription=subscription, status="sent", sent_at=timezone.now()
    )


@pytest.mark.django_db
def test_each_planted_violation_is_reported_with_ids_and_never_an_email(topics):
    assert audit()[0] == 0
    unconfirmed = SubscriberFactory(email="unconfirmed@example.org", confirmed_at=None)
    delivery = sent_delivery(unconfirmed, topics["newsletter"])
    no_age = UserFactory(email="noage@example.org", age_band="", age_attested_at=None)
    child = UserFactory()
    User.objects.filter(pk=child.pk).update(age_band="under_13")
    review = ReviewFactory(body="Call me on +33 6 12 34 56 78 or write to me@example.org")
    old_log = AccessLog.objects.create(user=no_age, method="GET", path="/privacy/", status=200)
    AccessLog.objects.filter(pk=old_log.pk).update(created_at=timezone.now() - datetime.timedelta(days=200))
    vague = Disclosure.objects.create(recipient_kind="other", recipient_name="Someone", purpose="", data_categories=[])
    disagreeing = SubscriptionFactory(subscriber=SubscriberFactory(), topic=topics["contests"], state="active")
    services.record_consent(
        subject=disagreeing.subscriber.ledger_subject, purpose="topic:contests", action="withdrawn", method="staff"
    )
    erased = UserFactory(email="erased@example.org")
    data_rights.erase_person(erased)
    User.objects.filter(pk=erased.pk).update(first_name="Still")

    status, report = audit()

    assert status == 1
    expected = {
        "deliveries_to_ineligible": delivery.pk,
        "accounts_without_valid_age": no_age.pk,
        "reviews_with_contact_details": review.pk,
        "access_logs_past_retention": old_log.pk,
        "disclosures_without_purpose": vague.pk,
        "subscription_state_vs_ledger": disagreeing.pk,
        "erased_people_with_clear_data": erased.pk,
    }
    for key, example in expected.items():
        line = next(line for line in report.splitlines() if f" {key}:" in line)
        assert line.startswith("FOUND"), line
        assert str(example) in line, line
    assert str(child.pk) in next(line for line in report.splitlines() if "accounts_without_valid_age" in line)
    assert "@" not in report


@pytest.mark.django_db
def test_a_clean_demo_database_reports_nothing(demo_mode):
    launch_topics()  # a transactional test earlier in this worker may have flushed the migration's topics
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    status, report = audit()
    assert status == 0, report
    assert "FOUND" not in report


@pytest.mark.django_db
def test_the_weekly_report_goes_to_privacy_officers_only(mailoutbox_anymail, topics):
    officer = StaffFactory(email="officer@example.org", is_superuser=False)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    StaffFactory(email="support@example.org", is_superuser=False).groups.add(Group.objects.get(name="Support"))
    SubscriberFactory(email="x@example.org", confirmed_at=None)
    Disclosure.objects.create(recipient_kind="other", recipient_name="Someone", purpose="", data_categories=[])
    from privacy.tasks import send_privacy_audit

    assert send_privacy_audit() == 1
    (message,) = mailoutbox_anymail
    assert message.to == ["officer@example.org"]
    assert message.tags == ["service"]
    assert "1 check with findings" in message.subject
    assert "Disclosures without a purpose or data categories: 1" in message.body


@pytest.mark.django_db
def test_groups_support_reads_orders_and_tickets_but_no_privacy_model():
    support = Group.objects.get(name="Support")
    officer = Group.objects.get(name="Privacy officer")
    support_perms = set(support.permissions.values_list("content_type__app_label", "codename"))
    assert ("shop", "view_order") in support_perms
    assert ("shop", "view_supportticket") in support_perms
    assert not any(app == "privacy" for app, _ in support_perms)
    officer_perms = set(officer.permissions.values_list("codename", flat=True))
    assert {"view_consentevent", "view_datarequest", "run_export", "run_erasure"} <= officer_perms


@pytest.mark.django_db(transaction=True)
def test_the_groups_and_their_permissions_come_back_after_a_flush_and_a_hand_removal():
    """A flush (what a transactional test does, and what `flush` does to a database) wipes rows that migrations
    wrote; post_migrate (privacy.staff_groups) makes the groups again, and a permission removed by hand returns at
    the next migrate."""
    from django.core.management import call_command

    Group.objects.all().delete()
    call_command("flush", interactive=False, verbosity=0)
    support = Group.objects.get(name="Support")
    assert {"view_order", "add_supportreply"} <= set(support.permissions.values_list("codename", flat=True))
    officer = Group.objects.get(name="Privacy officer")
    officer.permissions.remove(*officer.permissions.filter(codename="run_erasure"))
    call_command("migrate", verbosity=0)
    assert officer.permissions.filter(codename="run_erasure").exists()


def staff_in(group_name: str) -> User:
    user = StaffFactory(is_superuser=False)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.mark.django_db
def test_support_cannot_open_the_consent_ledger_or_the_request_queue(client):
    client.force_login(staff_in("Support"))
    assert client.get(reverse("admin:privacy_consentevent_changelist")).status_code == 403
    assert client.get(reverse("admin:privacy_datarequest_changelist")).status_code == 403
    assert client.get(reverse("admin:shop_order_changelist")).status_code == 200


@pytest.mark.django_db
def test_a_privacy_officer_runs_an_erasure_for_a_verified_request_only(client):
    officer = staff_in("Privacy officer")
    shopper = UserFactory(email="frank@example.org")
    pending = data_rights.open_request(kind="erasure", user=shopper)
    client.force_login(officer)
    url = reverse("admin:privacy_datarequest_changelist")
    page = client.get(url)
    assert page.status_code == 200
    assert b"Run the erasure" in page.content
    client.post(url, {"action": "run_erasure", "_selected_action": [pending.pk]})
    shopper.refresh_from_db()
    assert shopper.is_active  # received, not verified: nothing runs
    DataRequest.objects.filter(pk=pending.pk).update(status="verified", verified_at=timezone.now())
    client.post(url, {"action": "run_erasure", "_selected_action": [pending.pk]})
    shopper.refresh_from_db()
    pending.refresh_from_db()
    assert not shopper.is_active
    assert pending.status == "completed"
    assert pending.handled_by == officer
    assert ConsentEvent.objects.filter(user=shopper, purpose="erasure", method="staff").exists()


@pytest.mark.django_db
def test_without_the_permission_the_actions_are_not_offered(client):
    from django.contrib.auth.models import Permission

    clerk = StaffFactory(is_superuser=False)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_datarequest", "change_datarequest"]))
    request_ = data_rights.open_request(kind="export", user=UserFactory())
    DataRequest.objects.filter(pk=request_.pk).update(status="verified")
    client.force_login(clerk)
    url = reverse("admin:privacy_datarequest_changelist")
    assert b"Run the export" not in client.get(url).content
    client.post(url, {"action": "run_export", "_selected_action": [request_.pk]})
    assert not DataExport.objects.exists()


@pytest.mark.django_db
def test_new_requests_are_due_in_30_days():
    data_request = data_rights.open_request(kind="correction", user=None)
    assert data_request.due_at - data_request.received_at == datetime.timedelta(days=30)


@pytest.mark.django_db
def test_the_request_queue_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(StaffFactory())
    for _ in range(5):
        data_rights.open_request(kind="export", user=UserFactory()).__class__.objects.update(handled_by=None)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:privacy_datarequest_changelist")).status_code == 200


@pytest.fixture
def policies(db):
    old = PolicyVersion.objects.create(
        version="1", body="First text.", effective_at=timezone.now() - datetime.timedelta(days=100)
    )
    new = PolicyVersion.objects.create(
        version="2", body="Second text.", effective_at=timezone.now() - datetime.timedelta(days=1), is_material=True
    )
    PolicyVersion.objects.create(
        version="3", body="Future text.", effective_at=timezone.now() + datetime.timedelta(days=10), is_material=True
    )
    return old, new


@pytest.mark.django_db
def test_the_policy_page_shows_the_current_version_and_the_history(client, policies):
    page = client.get(reverse("privacy:policy")).content.decode()
    assert "Second text." in page
    assert "Future text." not in page
    assert "?version=1" in page
    assert "First text." in client.get(reverse("privacy:policy") + "?version=1").content.decode()


@pytest.mark.django_db
def test_after_a_material_change_shoppers_are_asked_once_and_the_answer_is_ledgered(client, policies):
    shopper = UserFactory(date_joined=timezone.now() - datetime.timedelta(days=30))
    newcomer = UserFactory()
    client.force_login(shopper)
    home = client.get(reverse("home")).content.decode()
    assert "We have changed our privacy policy." in home
    policy_page = client.get(reverse("privacy:policy")).content.decode()
    assert "I have reviewed the updated policy" in policy_page
    response = client.post(reverse("privacy:policy"), {"version": "2"})
    assert response.status_code == 302
    event = ConsentEvent.objects.get(user=shopper, purpose="policy")
    assert event.action == "acknowledged"
    assert event.value == "2"
    assert "We have changed our privacy policy." not in client.get(reverse("home")).content.decode()
    client.post(reverse("privacy:policy"), {"version": "2"})
    assert ConsentEvent.objects.filter(purpose="policy").count() == 1
    client.force_login(newcomer)  # joined after the change: nothing to review
    assert "We have changed our privacy policy." not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_a_stale_or_forged_version_acknowledges_nothing(client, policies):
    client.force_login(UserFactory(date_joined=timezone.now() - datetime.timedelta(days=30)))
    for version in ["1", "3", "", "x" * 40]:
        response = client.post(reverse("privacy:policy"), {"version": version})
        assert response.status_code == 302
    assert not ConsentEvent.objects.filter(purpose="policy").exists()
