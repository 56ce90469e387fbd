"""Issue 13: one registry, checked for completeness. Every installed model of the project's apps that holds personal
data (a foreign key to the user, or a field holding an email, name, phone, address, IP or free text) must be covered
by an exporter, an eraser and a "what we hold about you" dashboard section registered with privacy.registry
(`models=` on register_exporter / register_eraser / register_data_section), or be in ALLOWED below with a reason.
Adding such a model without them fails this test, naming the model and what it lacks."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from privacy import registry

PROJECT_APPS = {"outbox", "privacy", "subscriptions", "accounts", "shop", "reviews"}
PERSONAL_NAME = re.compile(r"(^|_)(email|name|phone|address|ip|city|postal_code|line1|line2|user_agent)($|_)")
NEEDS = ("exporter", "eraser", "section")

# Flagged by the rules above but holding nobody's personal data: every right is answered "nothing to give".
NOT_PERSONAL = {
    "privacy.PolicyVersion": "the policy text staff publish",
    "privacy.PolicyText": "a policy version's text in another language, published by staff",
    "subscriptions.Topic": "newsletter topic names",
    "subscriptions.Edition": "the newsletter text staff write, the same for every reader",
    "subscriptions.EditionVersion": "an edition's text in another language, the same for every reader",
    "subscriptions.TopicTranslation": "newsletter topic names in another language",
    "subscriptions.ServiceAnnouncement": "staff-written announcement text; confirmed_by names the staff member",
    "shop.Brand": "catalog content",
    "shop.Category": "catalog content",
    "shop.Product": "catalog content",
    "shop.ProductStyle": "catalog content",
    "shop.ProductDescription": "catalog content (a product's description in another language)",
    "shop.Contest": "the contest's own description",
    "shop.OrderLine": "product and style names copied at order time; exported and erased with its Order",
    "shop.Shipment": "created_by is the staff member who shipped; carrier and tracking are exported with the Order",
}

# Documented exceptions (docs/privacy.md, "What is kept after an erasure"): (model, right) -> reason.
ALLOWED = {
    ("privacy.ConsentEvent", "eraser"): "retention: the consent ledger proves what was agreed; no clear email",
    ("privacy.ConsentEvent", "section"): "the dashboard's own paginated Consent history part",
    ("privacy.Disclosure", "eraser"): "retention: the disclosure log proves what was handed over; no clear email",
    ("privacy.Disclosure", "section"): "the dashboard's own paginated Who received your data part",
    ("privacy.AccessLog", "section"): "in the export only; purged after PRIVACY_ACCESS_LOG_RETENTION_DAYS",
    ("privacy.DataRequest", "eraser"): "retention: proof a request was handled; subject is user:<id> or a keyed hash",
    ("privacy.DataRequest", "section"): "in the export (Your data requests); the queue is staff's",
    ("privacy.DataExport", "exporter"): "it is a copy of the export itself, offered on the export page",
    ("privacy.DataExport", "section"): "listed on the Download my data page; deleted after PRIVACY_EXPORT_DAYS",
    ("privacy.GuestLink", "exporter"): "a guest request link: the address is blanked on use, the row purged on expiry",
    ("privacy.GuestLink", "eraser"): "a guest request link: the address is blanked on use, the row purged on expiry",
    ("privacy.GuestLink", "section"): "a guest request link: the address is blanked on use, the row purged on expiry",
    ("subscriptions.Suppression", "exporter"): "a keyed hash only, not reversible to the address",
    ("subscriptions.Suppression", "eraser"): "retention: the never-email list is what keeps an erased address unmailed",
    ("subscriptions.Suppression", "section"): "a keyed hash only, not reversible to the address",
    ("subscriptions.AnnouncementDelivery", "eraser"): "names the account by id only; the account row is anonymised",
}


def _is_personal(field) -> bool:
    if field.is_relation:
        target = field.related_model
        return target is not None and target._meta.label == settings.AUTH_USER_MODEL and not field.many_to_many
    if isinstance(field, (models.EmailField, models.GenericIPAddressField, models.TextField)):
        return True
    return isinstance(field, (models.CharField, models.JSONField)) and bool(PERSONAL_NAME.search(field.name))


def personal_fields(model) -> list[str]:
    return [field.name for field in model._meta.get_fields() if field.concrete and _is_personal(field)]


def personal_models() -> dict[str, list[str]]:
    return {
        model._meta.label: fields
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and (fields := personal_fields(model))
    }


def covered() -> dict[str, set[str]]:
    coverage: dict[str, set[str]] = {}
    for right, entries in (
        ("exporter", registry.exporters()),
        ("eraser", registry.erasers()),
        ("section", registry.data_sections()),
    ):
        for entry in entries:
            for label in entry.models:
                coverage.setdefault(label, set()).add(right)
    return coverage


def missing(found: dict[str, list[str]], coverage: dict[str, set[str]]) -> list[str]:
    problems = []
    for label, fields in sorted(found.items()):
        if label in NOT_PERSONAL:
            continue
        lacks = [right for right in NEEDS if right not in coverage.get(label, set()) and (label, right) not in ALLOWED]
        if lacks:
            problems.append(f"{label} ({', '.join(fields)}) has no {' / '.join(lacks)}")
    return problems


def test_every_model_holding_personal_data_has_an_exporter_an_eraser_and_a_section():
    problems = missing(personal_models(), covered())
    assert not problems, "Register these with privacy.registry (models=...) or document an exception:\n" + "\n".join(
        problems
    )


def test_the_rules_find_the_models_we_know_hold_personal_data():
    """The detector itself: the guest-facing models are found, by the field that makes them personal."""
    found = personal_models()
    assert "email" in found["reviews.Review"]
    assert "message" in found["shop.SupportTicket"]
    assert "user" in found["accounts.Address"]
    assert "ip" in found["privacy.AccessLog"]
    assert "email" in found["privacy.GuestLink"]


def test_a_new_model_without_registrations_fails_and_is_named():
    """What CI does when someone adds a personal-data model and forgets the registry."""

    class Pet(models.Model):
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        name = models.CharField(max_length=40)
        notes = models.TextField()

        class Meta:
            app_label = "shop"

        def __str__(self) -> str:
            return self.name

    try:
        problems = missing(personal_models(), covered())
    finally:
        del apps.all_models["shop"]["pet"]
        apps.clear_cache()
    assert problems == ["shop.Pet (owner, name, notes) has no exporter / eraser / section"]


def test_every_allow_list_entry_names_a_real_model_and_a_reason():
    labels = {model._meta.label for model in apps.get_models()}
    for (label, right), reason in ALLOWED.items():
        assert label in labels, label
        assert right in NEEDS
        assert len(reason) > 20
    assert set(NOT_PERSONAL) <= labels


@pytest.mark.parametrize("label", sorted({label for entry in registry.exporters() for label in entry.models}))
def test_every_declared_model_exists(label):
    assert apps.get_model(label) is not None
