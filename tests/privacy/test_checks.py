"""`manage.py check` refuses PRIVACY_* settings that would break a promise of the privacy policy."""

import pytest

from privacy.checks import privacy_settings


def ids() -> set[str]:
    return {problem.id for problem in privacy_settings(None)}


def test_the_project_settings_pass():
    assert ids() == set()


@pytest.mark.parametrize("value", [0, -5, "180"])
def test_a_retention_that_is_not_a_positive_integer_is_an_error(settings, value):
    settings.PRIVACY_ACCESS_LOG_RETENTION_DAYS = value
    assert "privacy.E001" in ids()


def test_full_ips_kept_longer_than_their_rows_is_an_error(settings):
    settings.PRIVACY_ACCESS_LOG_RETENTION_DAYS = 10
    settings.PRIVACY_ACCESS_LOG_IP_DAYS = 30
    assert "privacy.E002" in ids()


def test_a_short_ad_feed_key_is_an_error(settings):
    settings.PRIVACY_AD_FEED_HASH_KEY = "0123456789"
    assert "privacy.E003" in ids()


def test_an_erased_address_domain_that_could_receive_mail_is_an_error(settings):
    settings.PRIVACY_ERASED_EMAIL_DOMAIN = "example.com"
    assert "privacy.E004" in ids()


@pytest.mark.parametrize("pattern", ["^/unsubscribe/[^/]+", "^(/unsubscribe/[", 5])
def test_a_token_pattern_without_a_kept_group_is_an_error(settings, pattern):
    settings.PRIVACY_ACCESS_LOG_TOKEN_PATTERNS = [pattern]
    assert "privacy.E005" in ids()


def test_an_access_log_middleware_with_no_paths_is_a_warning(settings):
    del settings.PRIVACY_ACCESS_LOG_PATH_PREFIXES  # privacy's own default: it knows no host's paths
    assert "privacy.W001" in ids()


def test_privacy_names_no_path_of_its_own(settings):
    """The host mounts the pages: privacy's defaults name none of them (no /accounts/, /unsubscribe/, ...)."""
    from privacy.app_settings import app_settings

    del settings.PRIVACY_ACCESS_LOG_PATH_PREFIXES
    del settings.PRIVACY_ACCESS_LOG_TOKEN_PATTERNS
    assert app_settings.ACCESS_LOG_PATH_PREFIXES == ()
    assert app_settings.ACCESS_LOG_TOKEN_PATTERNS == ()
