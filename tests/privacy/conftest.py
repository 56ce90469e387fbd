import pytest

from tests.subscriptions.conftest import ledger, subscriber, topics  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 costs ~0.5 s per factory user; these tests are about privacy, not password storage."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
