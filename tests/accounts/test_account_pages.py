import pytest
from django.urls import reverse

from accounts.models import Address
from tests.factories import AddressFactory, StaffFactory, UserFactory

ADDRESS = {
    "kind": "shipping",
    "full_name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "line2": "",
    "city": "London",
    "region": "",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
    "phone": "",
}


@pytest.fixture
def shopper(client):
    user = UserFactory(first_name="Ada", last_name="Lovelace")
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_account_pages_need_a_login(client):
    for url in [reverse("accounts:profile"), reverse("accounts:address_add")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_profile_shows_details_and_age_band_and_saves_changes(client, shopper):
    page = client.get(reverse("accounts:profile")).content.decode()
    assert shopper.email in page
    assert "18 or over" in page
    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "Augusta", "last_name": "King", "phone": "+33 6 12 34 56 78", "country": "FR", "gender": ""},
        follow=True,
    )
    assert "Your details are saved." in response.content.decode()
    shopper.refresh_from_db()
    assert (shopper.first_name, shopper.phone.as_e164, str(shopper.country)) == ("Augusta", "+33612345678", "FR")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "not a phone", "Enter a valid phone number"),
        ("country", "ZZ", "Select a valid choice"),
        ("first_name", "<b>Ada</b>", "Please use only letters"),
    ],
)
def test_bad_profile_input_changes_nothing(client, shopper, field, value, message):
    data = {"first_name": "Augusta", "last_name": "King", "phone": "", "country": "FR", "gender": "", field: value}
    response = client.post(reverse("accounts:profile"), data)
    assert message in response.content.decode()
    shopper.refresh_from_db()
    assert shopper.first_name == "Ada"


@pytest.mark.django_db
def test_the_first_address_of_a_kind_becomes_the_default_and_a_new_default_replaces_it(client, shopper):
    client.post(reverse("accounts:address_add"), ADDRESS)
    first = Address.objects.get(user=shopper)
    assert first.is_default
    client.post(reverse("accounts:address_add"), {**ADDRESS, "line1": "1 New Road", "is_default": "on"})
    defaults = Address.objects.filter(user=shopper, kind="shipping", is_default=True)
    assert [a.line1 for a in defaults] == ["1 New Road"]
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "1 New Road" in page
    assert "12 St James" in page


@pytest.mark.django_db
def test_deleting_the_default_address_promotes_another(client, shopper):
    default = AddressFactory(user=shopper, line1="Old", is_default=True)
    AddressFactory(user=shopper, line1="Other", is_default=False)
    client.post(reverse("accounts:address_delete", args=[default.pk]))
    assert list(Address.objects.filter(user=shopper).values_list("line1", "is_default")) == [("Other", True)]


@pytest.mark.django_db
def test_nobody_edits_or_deletes_someone_elses_address(client, shopper):
    other = AddressFactory(line1="Not yours")
    assert client.get(reverse("accounts:address_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("accounts:address_delete", args=[other.pk])).status_code == 404
    assert Address.objects.filter(pk=other.pk, line1="Not yours").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postal_code", "1" * 21, "at most 20 characters"),
        ("line1", "<script>x</script>", "Please remove the &lt; and &gt; characters."),
        ("city", "Par\x07is", "invisible or control characters"),
        ("country", "", "Choose the country."),
        ("phone", "+1 555", "Enter a phone number in international format"),
    ],
)
def test_bad_address_input_writes_nothing(client, shopper, field, value, message):
    response = client.post(reverse("accounts:address_add"), {**ADDRESS, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Address.objects.exists()


@pytest.mark.django_db
def test_no_account_form_accepts_a_card_number():
    from accounts.forms import AddressForm, ProfileForm, SignupForm

    for form in [AddressForm(), ProfileForm(), SignupForm(age_band="adult")]:
        for name in form.fields:
            assert not any(word in name for word in ["card", "pan", "cvc", "cvv"])


@pytest.mark.django_db
def test_staff_find_users_by_email_or_name_and_see_the_age_band(client):
    staff = StaffFactory()
    UserFactory(email="grace@example.com", first_name="Grace", last_name="Hopper", age_band="teen_supervised")
    UserFactory(email="other@example.com", first_name="Other")
    client.force_login(staff)
    for query in ["grace@example", "Hopper"]:
        page = client.get(reverse("admin:accounts_user_changelist"), {"q": query}).content.decode()
        assert "grace@example.com" in page
        assert "other@example.com" not in page
        assert "13 to 17, supervised by a parent or guardian" in page


@pytest.mark.django_db
def test_login_gives_the_same_answer_for_known_and_unknown_addresses(client):
    UserFactory(email="known@example.com")
    known = client.post(reverse("account_login"), {"login": "known@example.com", "password": "wrong-password-1"})
    unknown = client.post(reverse("account_login"), {"login": "unknown@example.com", "password": "wrong-password-1"})
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


@pytest.mark.django_db
def test_password_reset_gives_the_same_answer_for_known_and_unknown_addresses(client, mailoutbox):
    UserFactory(email="known@example.com")
    known = client.post(reverse("account_reset_password"), {"email": "known@example.com"})
    unknown = client.post(reverse("account_reset_password"), {"email": "unknown@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


@pytest.mark.django_db
def test_minors_are_never_in_the_ad_partner_feed_even_if_they_accept_advertising():
    from privacy import selectors, services

    adult = UserFactory(email="adult@example.com")
    teen = UserFactory(email="teen@example.com", age_band="teen_supervised")
    for user in (adult, teen):
        services.save_cookie_choice(user=user, categories=["advertising"])
        services.set_ad_sharing(user=user, share=True)
    audience = set(selectors.ad_feed_audience().values_list("email", flat=True))
    assert "adult@example.com" in audience
    assert "teen@example.com" not in audience
