import pytest
from django.urls import reverse

from privacy.models import Disclosure
from tests.factories import StaffFactory, UserFactory

ADD_URL = reverse("admin:privacy_disclosure_add")


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def form(person, **overrides):
    data = {
        "user": person.pk,
        "recipient_name": "Paris police prefecture",
        "reference": "PP-2026-0042",
        "legal_basis": "Requisition under article 60-1 of the code of criminal procedure",
        "purpose": "Fraud investigation",
        "data_categories": "name, email address, order history",
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_staff_record_a_lawful_request_that_the_person_then_sees(staff_client, client):
    person = UserFactory()
    response = staff_client.post(ADD_URL, form(person))
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient_kind == "lawful_request"
    assert disclosure.data_categories == ["name", "email address", "order history"]
    assert disclosure.recorded_by.is_staff
    assert disclosure.subject == f"user:{person.pk}"

    client.force_login(person)
    page = client.get(reverse("privacy:dashboard")).content.decode()
    assert "Paris police prefecture" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("legal_basis", "", "This field is required."), ("data_categories", " , ", "Name at least one category")],
)
def test_a_lawful_request_without_basis_or_categories_is_refused(staff_client, field, value, message):
    person = UserFactory()
    response = staff_client.post(ADD_URL, form(person, **{field: value}))
    assert message in response.content.decode()
    assert not Disclosure.objects.exists()


@pytest.mark.django_db
def test_a_saved_disclosure_can_never_be_edited_or_deleted(staff_client):
    person = UserFactory()
    staff_client.post(ADD_URL, form(person))
    disclosure = Disclosure.objects.get()
    change_url = reverse("admin:privacy_disclosure_change", args=[disclosure.pk])
    staff_client.post(change_url, form(person, purpose="Changed"))
    staff_client.post(reverse("admin:privacy_disclosure_delete", args=[disclosure.pk]), {"post": "yes"})
    disclosure.refresh_from_db()
    assert disclosure.purpose == "Fraud investigation"
