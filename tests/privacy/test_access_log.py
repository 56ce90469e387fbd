import datetime

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy import services
from privacy.models import AccessLog
from privacy.tasks import purge_access_logs
from tests.factories import PASSWORD, StaffFactory, UserFactory

COOKIES_URL = reverse("privacy:cookies")
TOKEN = "MQ:1tFkzq:AbCdEf0123456789xyzSecretSecret"


@pytest.fixture
def shopper(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_a_signed_in_privacy_page_is_logged_without_query_string_and_with_truncated_ip(client, shopper):
    agent = "Mozilla/5.0 " + "x" * 400
    client.get(f"{COOKIES_URL}?email={shopper.email}&token={TOKEN}", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT=agent)
    row = AccessLog.objects.get()
    assert (row.user, row.method, row.path, row.status) == (shopper, "GET", COOKIES_URL, 200)
    assert row.ip_prefix == "203.0.113.0/24"
    assert row.user_agent == agent[:200]
    for secret in [shopper.email, TOKEN, "203.0.113.77"]:
        assert secret not in str(AccessLog.objects.values().get())


@pytest.mark.django_db
def test_guests_and_other_pages_are_not_logged(client):
    client.get(COOKIES_URL)
    user = UserFactory()
    client.force_login(user)
    client.get("/")
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/unsubscribe/{TOKEN}/", "/unsubscribe/<token>/"),
        (f"/unsubscribe/{TOKEN}/confirm/", "/unsubscribe/<token>/confirm/"),
        ("/preferences/short-token/", "/preferences/<token>/"),
        ("/preferences/", "/preferences/"),
        ("/subscribe/confirm/short-token/", "/subscribe/confirm/<token>/"),
        (f"/accounts/confirm-email/{TOKEN}/", "/accounts/confirm-email/<token>/"),
        ("/accounts/password/reset/key/1-abc-def/", "/accounts/password/reset/key/<token>/"),
        (f"/privacy/export/{TOKEN}/", "/privacy/export/<token>/"),
    ],
)
def test_token_paths_are_logged_with_the_token_replaced(client, shopper, path, logged):
    client.get(path)
    assert list(AccessLog.objects.values_list("path", flat=True)) == [logged]


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.sampled_from(["/unsubscribe/", "/preferences/", "/subscribe/confirm/", "/accounts/confirm-email/"]),
    token=st.text(alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters="-_:."), min_size=1),
    rest=st.sampled_from(["", "/", "/one-click/"]),
)
def test_no_token_survives_redaction(prefix, token, rest):
    redacted = services.redact_path(f"{prefix}{token}{rest}")
    assert redacted == f"{prefix}<token>{rest}"[:255]


@pytest.mark.django_db
def test_login_and_logout_are_logged_for_the_account(client):
    user = UserFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("account_logout"))
    assert list(AccessLog.objects.order_by("id").values_list("path", "method", "user_id")) == [
        (reverse("account_login"), "POST", user.pk),
        (reverse("account_logout"), "POST", user.pk),
    ]


@pytest.mark.django_db
def test_logging_costs_one_insert(client, shopper, django_assert_max_num_queries):
    with django_assert_max_num_queries(6) as captured:
        client.get(COOKIES_URL)
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert "privacy_accesslog" in inserts[0]


@pytest.mark.django_db
def test_a_failed_log_write_never_breaks_the_page(client, shopper, monkeypatch):
    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(services, "log_access", broken)
    assert client.get(COOKIES_URL).status_code == 200


@pytest.mark.django_db
def test_retention_deletes_only_rows_older_than_the_setting_in_batches(settings):
    settings.PRIVACY_ACCESS_LOG_RETENTION_DAYS = 90
    settings.PRIVACY_ACCESS_LOG_PURGE_BATCH = 2
    now = timezone.now()

    def row(days: float) -> AccessLog:
        return AccessLog.objects.create(
            created_at=now - datetime.timedelta(days=days), method="GET", path="/privacy/", status=200
        )

    old = [row(90.01), row(91), row(200), row(365), row(1000)]
    kept = [row(89.9), row(1), row(0)]
    assert purge_access_logs.delay().get() == len(old)
    assert sorted(AccessLog.objects.values_list("id", flat=True)) == sorted(r.pk for r in kept)
    assert purge_access_logs.delay().get() == 0  # idempotent

    settings.PRIVACY_ACCESS_LOG_RETENTION_DAYS = 30
    row(31)
    assert purge_access_logs() == 2  # the 31-day row and the 89.9-day one
    assert AccessLog.objects.count() == 2


def test_the_purge_is_on_the_beat_schedule():
    from config.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "privacy.tasks.purge_access_logs" in tasks


@pytest.mark.django_db
def test_staff_read_the_access_log_in_the_admin_but_cannot_change_it(client, django_assert_max_num_queries):
    users = UserFactory.create_batch(5)
    for user in users:
        AccessLog.objects.create(user=user, method="GET", path="/privacy/", status=200)
    client.force_login(StaffFactory())
    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:privacy_accesslog_changelist"))
    assert page.status_code == 200
    assert client.get(reverse("admin:privacy_accesslog_add")).status_code == 403
    row = AccessLog.objects.first()
    response = client.post(reverse("admin:privacy_accesslog_change", args=[row.pk]), {"path": "/changed/"})
    assert response.status_code == 403
    assert client.post(reverse("admin:privacy_accesslog_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(path="/changed/").count() == 0


@pytest.mark.django_db
def test_staff_read_privacy_settings_in_the_admin_with_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for user in UserFactory.create_batch(5):
        services.save_cookie_choice(user=user, categories=["analytics"])
    client.force_login(StaffFactory())
    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:privacy_privacysettings_changelist"))
    assert page.status_code == 200
    assert client.get(reverse("admin:privacy_privacysettings_add")).status_code == 403


@pytest.mark.django_db
def test_sign_in_signup_and_checkout_are_logged_with_ip_and_agent(client):
    user = UserFactory(email="logger@example.com")
    client.post(
        reverse("account_login"),
        {"login": "logger@example.com", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="Browser/1.0",
    )
    row = AccessLog.objects.get(event="sign_in")
    assert (row.user_id, row.ip, row.ip_prefix, row.user_agent) == (
        user.pk,
        "203.0.113.77",
        "203.0.113.0/24",
        "Browser/1.0",
    )
    assert "logger@example.com" not in row.path


@pytest.mark.django_db
def test_full_ips_are_erased_after_30_days_and_rows_deleted_after_180():
    now = timezone.now()
    user = UserFactory()

    def row(days_ago: int) -> AccessLog:
        return AccessLog.objects.create(
            user=user,
            event="sign_in",
            method="POST",
            path="/accounts/login/",
            status=200,
            ip="203.0.113.9",
            ip_prefix="203.0.113.0/24",
            created_at=now - datetime.timedelta(days=days_ago),
        )

    fresh, month_old, old = row(29), row(31), row(181)
    assert services.purge_access_logs() == 1
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.get(pk=fresh.pk).ip == "203.0.113.9"
    month_old.refresh_from_db()
    assert (month_old.ip, month_old.ip_prefix) == (None, "203.0.113.0/24")
