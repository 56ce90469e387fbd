"""The demo data: every app's seed, run twice, changes nothing the second time."""

import pytest
from django.apps import apps
from django.core.management import call_command

from tests.factories import launch_topics


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_seed_demo_loads_every_app_and_is_idempotent(capsys, settings, tmp_path):
    settings.EMAIL_BACKEND = "subscriptions.mailbox.FileMailboxBackend"
    launch_topics()
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Staff login: staff@example.com / " in out
    first = row_counts()
    for label in ["accounts.User", "subscriptions.Subscriber", "shop.Product", "shop.Order", "reviews.Review"]:
        assert first[label] > 0, label
    call_command("seed_demo")
    assert "Staff login: staff@example.com (password printed on the first run" in capsys.readouterr().out
    second = row_counts()
    changed = {label: (first[label], second[label]) for label in first if first[label] != second[label]}
    assert changed == {}
