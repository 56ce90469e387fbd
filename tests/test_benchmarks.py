"""The benchmarks run at a tiny size in the suite so they can't rot; their figures are read by people, not asserted."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="needs PostgreSQL"
)


def run_benchmark(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run(  # noqa: S603 (our own scripts)
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_the_mailing_benchmark_runs_and_prints_its_figures():
    out = run_benchmark("benchmarks/mailing.py", "--subscribers", "500", "--batch", "100")
    for figure in ["plan seconds", "messages per second per worker", "SQL statements per 1,000 sent", "peak RSS"]:
        assert figure in out
    assert "edition status:                          sent" in out


def test_the_privacy_benchmark_runs_and_prints_its_figures():
    out = run_benchmark("benchmarks/privacy.py", "--accounts", "500", "--log-rows", "2000")
    assert "accounts in the ad feed:                  375" in out  # 10% opted out, 5% GPC, 10% rejected
    assert "disclosures written:                      375" in out
    purged = re.search(r"access log rows purged:\s+(\d+) \(expected (\d+)\)", out)
    assert purged is not None
    assert purged.group(1) == purged.group(2) != "0"


def test_the_pages_benchmark_runs_and_prints_its_figures():
    out = run_benchmark("benchmarks/pages.py", "--requests", "2", "--reviews", "30")
    assert "product page (30 reviews, newest)" in out
    assert "product list (24 products with ratings)" in out


def test_the_load_benchmark_runs_gunicorn_and_locust_and_prints_its_figures():
    out = run_benchmark("benchmarks/load.py", "--rates", "3", "--seconds", "4", "--baseline-users", "1")
    for heading in ["offered ~3 requests/s", "BareUpdate: 1 users", "OneClickOnly: 1 users", "p95 ms", "all endpoints"]:
        assert heading in out
    assert re.search(r"one-click unsubscribe [\d.]+ req/s vs bare UPDATE view [\d.]+ req/s", out)
