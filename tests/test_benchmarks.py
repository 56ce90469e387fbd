"""The benchmarks run at a tiny size in the suite so they can't rot; their figures are read by people, not asserted."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="needs PostgreSQL"
)
def test_the_mailing_benchmark_runs_and_prints_its_figures():
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run(
        [sys.executable, "benchmarks/mailing.py", "--subscribers", "500", "--batch", "100"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for figure in ["plan seconds", "messages per second per worker", "SQL statements per 1,000 sent", "peak RSS"]:
        assert figure in result.stdout
    assert "edition status:                          sent" in result.stdout
