"""Issue 13, check 1: one registry, checked for completeness. Every model that holds personal data (a foreign key
to the user, or a field holding an email, a name, a phone number, a postal address, an IP address, a user agent or
free text a person wrote) is declared in privacy.registry with the exporter, the eraser and the dashboard section
that cover it, or a documented exception for each. Adding such a model without them fails CI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from privacy import registry

# The apps whose tables the privacy policy speaks for: the project's own, allauth's addresses, the admin's history.
SCANNED_APPS = {"accounts", "privacy", "subscriptions", "shop", "reviews", "account", "admin"}

_PERSONAL_NAME = re.compile(
    r"(^|_)(email|e_mail|phone|mobile|ip|ip_prefix|user_agent|first_name|last_name|full_name|display_name|"
    r"name|city|line1|line2|postal_code|address|message|body|notes|recipient_hash|object_repr)($|_)"
)


def personal_fields(model) -> list[str]:
    found = []
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is not None:
            if field.related_model._meta.label == settings.AUTH_USER_MODEL:
                found.append(field.name)
            continue
        textual = isinstance(field, models.CharField | models.TextField | models.JSONField)
        if isinstance(field, models.EmailField | models.GenericIPAddressField) or (
            textual and _PERSONAL_NAME.search(field.name)
        ):
            found.append(field.name)
    return found


def scanned_models():
    return [m for m in apps.get_models() if m._meta.app_label in SCANNED_APPS and personal_fields(m)]


def test_the_scan_finds_the_models_we_know_hold_personal_data():
    labels = {m._meta.label for m in scanned_models()}
    assert {"accounts.User", "accounts.Address", "shop.Order", "reviews.Review", "shop.ContestEntry"} <= labels


@pytest.mark.parametrize("model", scanned_models(), ids=lambda m: m._meta.label)
def test_every_model_with_personal_data_is_exported_erased_and_shown_or_excepted(model):
    label = model._meta.label
    declaration = registry.personal_data().get(label)
    assert declaration is not None, (
        f"{label} holds personal data ({', '.join(personal_fields(model))}): declare it with "
        f"privacy.registry.declare_personal_data() in its app's ready()"
    )
    if declaration.not_personal:
        assert len(declaration.not_personal) > 20, f"{label}: say why it is not personal data"
        return
    exporters = {e.key for e in registry.exporters()}
    erasers = {e.key for e in registry.erasers()}
    sections = {s.key for s in registry.data_sections()}
    for duty, keys, value in (
        ("export", exporters, declaration.export),
        ("erase", erasers, declaration.erase),
        ("dashboard", sections, declaration.dashboard),
    ):
        if isinstance(value, registry.Excepted):
            assert len(value.reason) > 20, f"{label}: document why it has no {duty}"
        else:
            assert value in keys, f"{label}: its {duty} {value!r} is not registered"


def test_every_exception_is_documented_in_the_privacy_docs():
    docs = (Path(settings.BASE_DIR) / "docs" / "privacy.md").read_text()
    for label, declaration in registry.personal_data().items():
        if declaration.not_personal:
            continue
        if any(isinstance(v, registry.Excepted) for v in (declaration.export, declaration.erase)):
            assert f"`{label}`" in docs, f"docs/privacy.md must name {label} and its retention exception"
