"""Attack tests: each file performs one attack from the security review and asserts it now fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What the README's production-like run sets (each key its own long random value).
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "prod-Zr8v1qk3Yt0mWq9LxC2nB7sD4fG6hJ8kL0pO3iU5yT7rE9wQ1aS",
    "SUBSCRIPTIONS_SUPPRESSION_KEY": "supp-Hk4nB8vC1xZ3mQ7wE9rT2yU5iO0pA6sD8fG1hJ4kL7zX3cV9bN",
    "PRIVACY_AD_FEED_HASH_KEY": "feed-Pq2wE4rT6yU8iO0pA1sD3fG5hJ7kL9zX2cV4bN6mQ8wE0rT3yU",
    "SITE_URL": "https://shop.example.com",
    "ALLOWED_HOSTS": "shop.example.com",
}


@pytest.fixture
def manage(tmp_path):
    """Run manage.py in a fresh process with the production environment, changed by `overrides` (None unsets)."""

    def run(*args: str, **overrides: str | None) -> subprocess.CompletedProcess:
        env = {**os.environ, **PRODUCTION_ENV, "VAR_DIR": str(tmp_path)}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        for name, value in overrides.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )

    return run
