"""Issue 17: `privacy` + `subscriptions` installed in a bare Django project (tests/reuse/host: no accounts, shop,
reviews, demo, allauth or django-celery-beat) migrate and run subscribe -> confirm -> mailing -> one-click
unsubscribe, against their own PostgreSQL database, in a subprocess with the host's settings."""

import os
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def host_database_url():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the host project runs against PostgreSQL (set DATABASE_URL)")
    import psycopg

    base = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    name = f"{base['NAME']}_reuse{os.environ.get('PYTEST_XDIST_WORKER', '')}"
    admin = f"host={base['HOST']} port={base['PORT'] or 5432} user={base['USER']} dbname=postgres"
    if base.get("PASSWORD"):
        admin += f" password={base['PASSWORD']}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
    yield url
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_privacy_and_subscriptions_run_the_newsletter_flow_in_a_bare_host_project(host_database_url):
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep} | {
        "DJANGO_SETTINGS_MODULE": "tests.reuse.host.settings",
        "REUSE_DATABASE_URL": host_database_url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.reuse.flow"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    assert "REUSE FLOW OK" in result.stdout
