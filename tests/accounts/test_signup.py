import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.db import connection
from django.urls import reverse

from accounts.forms import shop_today
from accounts.models import AgeBand, User

AGE_URL = reverse("accounts:age_screen")
SIGNUP_URL = reverse("account_signup")


def dob(years: int, days: int = 0) -> str:
    today = shop_today()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return (born - datetime.timedelta(days=days)).isoformat()


def answer(iso_date: str) -> dict:
    """The age screen's three boxes (Day, Month, Year) filled with a YYYY-MM-DD date."""
    year, month, day = ([*iso_date.split("-"), "", "", ""])[:3]
    return {"date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year}


def signup_data(**overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "password1": "an-unguessable-passphrase-91",
        "password2": "an-unguessable-passphrase-91",
        "phone": "+44 20 7946 0958",
        "country": "GB",
        "gender": "",
    }
    data.update(overrides)
    return data


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for model in apps.get_models():
            cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')  # noqa: S608
            counts[model._meta.label] = cursor.fetchone()[0]
        return counts


@pytest.mark.django_db
def test_the_age_screen_is_neutral(client):
    html = client.get(AGE_URL).content.decode()
    main = html.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    visible = re.sub(r"<[^>]+>", " ", main)
    assert "Date of birth" in visible
    for hint in ["13", "18", "adult", "old enough", "minimum", "under"]:
        assert hint not in visible.lower()
    assert 'value="' not in main.replace('name="csrfmiddlewaretoken" value="', "")  # no pre-filled date


@pytest.mark.django_db
def test_under_13_writes_nothing_anywhere_and_refuses_again_for_a_day(client, caplog):
    before = row_counts()
    response = client.post(AGE_URL, answer(dob(12, days=-3)))
    assert response.status_code == 403
    assert "ask a parent or guardian" in response.content.decode()
    assert row_counts() == before
    assert "sessionid" not in response.cookies
    assert not any("date_of_birth" in record.getMessage() for record in caplog.records)

    # The back button: an adult date in the same browser is refused too, and so is the signup page.
    again = client.post(AGE_URL, answer(dob(30)))
    assert again.status_code == 403
    signup = client.get(SIGNUP_URL)
    assert "ask a parent or guardian" in signup.content.decode()
    posted = client.post(SIGNUP_URL, signup_data())
    assert "ask a parent or guardian" in posted.content.decode()
    assert row_counts() == before


@pytest.mark.django_db
def test_the_refusal_cookie_is_signed(client):
    client.cookies["age_screen"] = "refused"  # forged, unsigned
    assert client.get(AGE_URL).status_code == 200


@pytest.mark.django_db
def test_signup_without_the_age_screen_sends_you_there(client):
    response = client.get(SIGNUP_URL)
    assert response.status_code == 302
    assert response["Location"] == AGE_URL
    client.post(SIGNUP_URL, signup_data())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_13_to_17_requires_the_supervision_attestation(client):
    assert client.post(AGE_URL, answer(dob(15))).status_code == 302
    page = client.get(SIGNUP_URL).content.decode()
    assert "A parent or guardian supervises my use of this site." in page

    refused = client.post(SIGNUP_URL, signup_data())
    assert refused.status_code == 200
    assert "Please ask a parent or guardian to supervise your account" in refused.content.decode()
    assert not User.objects.exists()

    client.post(SIGNUP_URL, signup_data(supervised="on"))
    user = User.objects.get()
    assert user.age_band == AgeBand.TEEN_SUPERVISED
    assert user.age_attested_at is not None
    assert user.age_attestation_version


@pytest.mark.django_db
def test_adult_signup_stores_the_profile_but_no_date_of_birth(client, mailoutbox):
    client.post(AGE_URL, answer(dob(18)))
    assert "supervises" not in client.get(SIGNUP_URL).content.decode()
    response = client.post(SIGNUP_URL, signup_data(gender="prefer_not"))
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.first_name, user.last_name, str(user.country)) == ("Ada", "Lovelace", "GB")
    assert user.phone.as_e164 == "+442079460958"
    assert user.gender == "prefer_not"
    assert user.age_band == AgeBand.ADULT
    assert user.check_password("an-unguessable-passphrase-91")
    assert user.password.startswith("argon2")
    field_names = {f.name for f in User._meta.get_fields()}
    assert not {"date_of_birth", "birth_date", "dob"} & field_names
    # allauth's confirmation email went out (through send_transactional, text and HTML)
    assert [m.to for m in mailoutbox] == [["ada@example.com"]]
    assert "confirm" in mailoutbox[0].subject.lower()
    assert mailoutbox[0].alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_confirming_the_email_logs_in_and_sends_the_welcome_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    client.post(AGE_URL, answer(dob(40)))
    client.post(SIGNUP_URL, signup_data())
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/confirm-email/" in line).strip()
    path = link.split("://", 1)[1].split("/", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/" + path)
    assert response.status_code == 302
    assert EmailAddress.objects.get().verified
    assert client.get(reverse("accounts:profile")).status_code == 200
    welcome = mailoutbox[-1]
    assert welcome.subject.startswith("Welcome to")
    assert welcome.to == ["ada@example.com"]
    assert "Hello Ada" in welcome.body


@pytest.mark.django_db
def test_signing_up_with_a_known_email_reveals_nothing(client, mailoutbox):
    from tests.factories import UserFactory

    UserFactory(email="ada@example.com")
    client.post(AGE_URL, answer(dob(30)))
    known = client.post(SIGNUP_URL, signup_data())
    client2 = type(client)()
    client2.post(AGE_URL, answer(dob(30)))
    unknown = client2.post(SIGNUP_URL, signup_data(email="nobody@example.com"))
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "Enter a valid phone number"),
        ("country", "XX", "Select a valid choice"),
        ("email", "not-an-email", "Enter a valid email address"),
        ("email", "a" * 250 + "@example.com", "at most 254 characters"),
        ("first_name", "A" * 81, "at most 80 characters"),
        ("first_name", "<script>alert(1)</script>", "Please use only letters"),
        ("last_name", "Love\x00lace", "Null characters are not allowed"),
        ("last_name", "Love\u202elace", "invisible or control characters"),
    ],
)
def test_bad_signup_input_gets_a_field_error_and_writes_nothing(client, field, value, message):
    client.post(AGE_URL, answer(dob(30)))
    response = client.post(SIGNUP_URL, signup_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ((shop_today() + datetime.timedelta(days=1)).isoformat(), "can&#x27;t be in the future"),
        (dob(200), "Please check the year"),
        ("2000-02-31", "Your date of birth must be a real date"),
        ("2000--12", "Your date of birth must include a day, a month and a year."),
        ("", "Enter your date of birth."),
    ],
)
def test_bad_dates_of_birth_get_a_clear_error(client, value, message):
    response = client.post(AGE_URL, answer(value))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "age_screen" not in response.cookies


@pytest.mark.django_db
def test_signup_is_rate_limited_per_ip(client):
    client.post(AGE_URL, answer(dob(30)))
    codes = [client.post(SIGNUP_URL, signup_data(email="bad")).status_code for _ in range(21)]
    assert codes[:20] == [200] * 20
    assert codes[20] == 429
    assert not User.objects.exists()


@pytest.mark.django_db
def test_failed_logins_are_limited_per_address(client):
    from tests.factories import UserFactory

    UserFactory(email="known@example.com")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "known@example.com", "password": "wrong-password-1"})
    response = client.post(reverse("account_login"), {"login": "known@example.com", "password": "wrong-password-1"})
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_a_failure_while_subscribing_at_signup_leaves_no_account(client, monkeypatch):
    from accounts import services

    def broken(**kwargs):
        raise RuntimeError("subscriptions unavailable")

    monkeypatch.setattr(services, "after_signup", broken)
    client.post(AGE_URL, answer(dob(30)))
    with pytest.raises(RuntimeError):
        client.post(SIGNUP_URL, signup_data(newsletter="on"))
    assert not User.objects.exists()
