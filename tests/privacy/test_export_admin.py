"""The admin lists data exports but never shows what they hold (the content is personal data)."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy.models import DataExport
from tests.factories import StaffFactory, UserFactory


@pytest.mark.django_db
def test_staff_see_that_an_export_exists_but_not_its_content(client):
    export = DataExport.objects.create(
        user=UserFactory(),
        status="ready",
        content=json.dumps({"sections": {"profile": {"phone": "+33 6 12 34 56 78", "city": "Secretville"}}}),
        ready_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    client.force_login(StaffFactory())
    listing = client.get(reverse("admin:privacy_dataexport_changelist")).content.decode()
    assert str(export.public_id) in listing  # the export is listed
    detail = client.get(reverse("admin:privacy_dataexport_change", args=[export.pk]))
    assert detail.status_code == 200
    for page in [listing, detail.content.decode()]:
        assert "Secretville" not in page
        assert "+33 6 12 34 56 78" not in page
