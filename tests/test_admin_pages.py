"""Every admin page answers without a server error: each changelist, add page, change page (for an object in every
state the demo and the admin can produce), history and delete confirmation, and every custom view, for the
superuser and for a staff member of each group. A 403 or a redirect is an answer; a 5xx or an exception is not."""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _objects_in_every_state(model, limit_per_value: int = 1) -> list:
    """One object per value of each field with choices or a boolean (a status, a kind, a flag), plus the first."""
    queryset = model._default_manager.order_by("pk")
    chosen = {}
    first = queryset.first()
    if first is not None:
        chosen[first.pk] = first
    for field in model._meta.concrete_fields:
        if not (field.choices or field.get_internal_type() == "BooleanField") or field.primary_key:
            continue
        for value in queryset.values_list(field.attname, flat=True).distinct()[:20]:
            for obj in queryset.filter(**{field.attname: value})[:limit_per_value]:
                chosen.setdefault(obj.pk, obj)
    return list(chosen.values())


def admin_urls() -> list[str]:
    """Every admin URL pattern with a name, filled in for each object in every state."""
    urls = [reverse("admin:index")]
    for app_label in {model._meta.app_label for model in admin.site._registry}:
        urls.append(reverse("admin:app_list", kwargs={"app_label": app_label}))
    for model, model_admin in admin.site._registry.items():
        objects = _objects_in_every_state(model)
        for pattern in model_admin.get_urls():
            name = getattr(pattern, "name", None)
            if not name:
                continue
            converters = list(pattern.pattern.converters)
            if not converters:
                urls.append(reverse(f"admin:{name}"))
                continue
            if converters == ["kind"]:  # e.g. the data requests for an address without an account, per kind
                urls.extend(reverse(f"admin:{name}", kwargs={"kind": kind}) for kind in model.Kind.values)
                continue
            for obj in objects:
                try:
                    urls.append(reverse(f"admin:{name}", kwargs=dict.fromkeys(converters, obj.pk)))
                except NoReverseMatch:
                    continue
    return sorted(set(urls))


def _states_the_admin_can_produce():
    """Editions in every status (a demo slot sends one; staff cancel another), a lawful-request disclosure."""
    from privacy.models import Disclosure
    from subscriptions.models import Edition, Topic

    topic = Topic.objects.order_by("pk").first()
    now = timezone.now()
    for status in Edition.Status.values:
        Edition.objects.create(
            topic=topic,
            subject=f"A {status} edition",
            body_text="Hello",
            body_html="<p>Hello</p>",
            slot_at=now,
            status=status,
        )
    Disclosure.objects.create(
        user=UserFactory(),
        recipient_kind=Disclosure.RecipientKind.LAWFUL_REQUEST,
        recipient_name="A court",
        purpose="Investigation",
        data_categories=["name"],
        legal_basis="Court order 12/2026",
    )


def _staff_per_role() -> dict[str, object]:
    roles = {"superuser": StaffFactory(email="root@example.org")}
    for group in Group.objects.order_by("name"):
        member = StaffFactory(email=f"{group.pk}-member@example.org", is_superuser=False)
        member.groups.add(group)
        roles[group.name] = member
    return roles


@pytest.fixture
def demo_database(demo_mode, settings, tmp_path):
    from tests.factories import launch_topics

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    launch_topics()
    call_command("seed_demo", stdout=io.StringIO())
    call_command("send_mailing", stdout=io.StringIO())
    _states_the_admin_can_produce()


def test_no_admin_page_answers_a_server_error_for_any_role(client, demo_database):
    client.raise_request_exception = False
    urls = admin_urls()
    assert len(urls) > 50
    failures = []
    for role, member in _staff_per_role().items():
        client.force_login(member)
        for url in urls:
            try:
                response = client.get(url)
            except Exception as error:  # raised outside the view (e.g. in a middleware)
                failures.append(f"{role} GET {url}: {type(error).__name__}: {error}")
                continue
            if response.status_code >= 500:
                failures.append(f"{role} GET {url}: {response.status_code}")
    assert failures == []


def test_a_sent_edition_shows_its_deliveries_and_a_disclosure_its_legal_basis(client, demo_database):
    from privacy.models import Disclosure
    from subscriptions.models import Edition

    client.force_login(StaffFactory(email="root@example.org"))
    for edition in Edition.objects.exclude(status__in=["draft", "scheduled"]):
        page = client.get(reverse("admin:subscriptions_edition_change", args=[edition.pk]))
        assert page.status_code == 200
        assert "deliveries" in page.content.decode().lower()
    lawful = Disclosure.objects.get(recipient_kind="lawful_request")
    page = client.get(reverse("admin:privacy_disclosure_change", args=[lawful.pk]))
    assert page.status_code == 200
    assert "Court order 12/2026" in page.content.decode()


def test_saving_a_sent_edition_changes_nothing(client, demo_database):
    from subscriptions.models import Edition

    client.force_login(StaffFactory(email="root@example.org"))
    edition = Edition.objects.filter(status="sent").first()
    before = (edition.subject, edition.slot_at, edition.status)
    client.raise_request_exception = False
    response = client.post(
        reverse("admin:subscriptions_edition_change", args=[edition.pk]), {"subject": "Changed afterwards"}
    )
    assert response.status_code < 500
    edition.refresh_from_db()
    assert (edition.subject, edition.slot_at, edition.status) == before
