"""`manage.py check` refuses SUBSCRIPTIONS_* settings that would break the first mailing or every emailed link."""

import pytest

from subscriptions.checks import subscriptions_settings


def ids(settings_check) -> set[str]:
    return {problem.id for problem in settings_check(None)}


def test_the_project_settings_pass():
    assert ids(subscriptions_settings) == set()


@pytest.mark.parametrize("slots", ["tue@9:00", "tuesday@09:00", "tue@09:00,fri@25:00", " , "])
def test_a_malformed_mailing_slot_is_an_error(settings, slots):
    settings.SUBSCRIPTIONS_MAILING_SLOTS = slots
    assert "subscriptions.E001" in ids(subscriptions_settings)


def test_an_unknown_time_zone_is_an_error(settings):
    settings.SUBSCRIPTIONS_TIME_ZONE = "Europe/Atlantis"
    assert "subscriptions.E002" in ids(subscriptions_settings)


@pytest.mark.parametrize("url", ["shop.example.com", "/relative", "ftp://shop.example.com"])
def test_a_site_url_that_is_not_absolute_http_is_an_error(settings, url):
    settings.SUBSCRIPTIONS_SITE_URL = url
    assert "subscriptions.E003" in ids(subscriptions_settings)


@pytest.mark.parametrize("value", [0, -1, "500"])
def test_a_batch_size_that_is_not_a_positive_integer_is_an_error(settings, value):
    settings.SUBSCRIPTIONS_SEND_CHUNK = value
    assert "subscriptions.E004" in ids(subscriptions_settings)


@pytest.mark.parametrize("value", [-1, "1", 1.5])
def test_a_send_pipeline_that_is_not_a_whole_number_is_an_error(settings, value):
    settings.SUBSCRIPTIONS_SEND_PIPELINE = value
    assert "subscriptions.E004" in ids(subscriptions_settings)


@pytest.mark.parametrize("value", [0, 1, 3])
def test_a_send_pipeline_of_0_or_more_is_accepted(settings, value):
    settings.SUBSCRIPTIONS_SEND_PIPELINE = value
    assert "subscriptions.E004" not in ids(subscriptions_settings)


def test_a_short_suppression_key_is_an_error(settings):
    settings.SUBSCRIPTIONS_SUPPRESSION_KEY = "short"
    assert "subscriptions.E005" in ids(subscriptions_settings)


def test_a_missing_postal_address_is_a_warning(settings):
    settings.SUBSCRIPTIONS_POSTAL_ADDRESS = ""
    assert ids(subscriptions_settings) == {"subscriptions.W001"}


def test_a_weekly_cap_below_the_number_of_slots_is_a_warning(settings):
    settings.SUBSCRIPTIONS_MAILING_SLOTS = "mon@09:00,wed@09:00,fri@09:00"
    settings.SUBSCRIPTIONS_WEEKLY_CAP = 2
    assert "subscriptions.W002" in ids(subscriptions_settings)
    settings.SUBSCRIPTIONS_WEEKLY_CAP = 3
    assert "subscriptions.W002" not in ids(subscriptions_settings)
