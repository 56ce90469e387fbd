"""Item 7: the insecure default SECRET_KEY (and the keys derived from it) passed `check --deploy`; with it an attacker
forged an allauth confirmation key. Now a deploy check errors on the default, a missing or weak key, and on every
derived key left to fall back on SECRET_KEY."""

import pytest

from tests.security.conftest import PRODUCTION_ENV

DERIVED_KEYS = {"SUBSCRIPTIONS_SUPPRESSION_KEY": "subscriptions.E010", "PRIVACY_AD_FEED_HASH_KEY": "privacy.E011"}


def check_deploy(manage, **overrides):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **overrides)
    return result.returncode, result.stdout + result.stderr


def test_production_settings_pass(manage):
    code, output = check_deploy(manage)
    assert code == 0, output


@pytest.mark.parametrize(
    "secret_key",
    [None, "django-insecure-development-key-do-not-use-in-production-0123456789", "short-key", "a" * 60],
    ids=["unset (the public default)", "the default written out", "short", "one character"],
)
def test_the_default_or_a_weak_secret_key_fails(manage, secret_key):
    code, output = check_deploy(manage, SECRET_KEY=secret_key)
    assert code != 0
    assert "privacy.E010" in output


@pytest.mark.parametrize("name", DERIVED_KEYS)
def test_each_derived_key_left_unset_fails(manage, name):
    code, output = check_deploy(manage, **{name: None})
    assert code != 0
    assert DERIVED_KEYS[name] in output
    assert "privacy.E010" not in output  # only the missing key is reported


@pytest.mark.parametrize("name", DERIVED_KEYS)
def test_a_derived_key_equal_to_the_secret_key_fails(manage, name):
    code, output = check_deploy(manage, **{name: PRODUCTION_ENV["SECRET_KEY"]})
    assert code != 0
    assert DERIVED_KEYS[name] in output
