"""The privacy benchmark runs at a tiny size so it can't rot; its figures are read by people, not asserted."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="needs PostgreSQL"
)
def test_the_privacy_benchmark_runs_and_prints_its_figures():
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run(
        [sys.executable, "benchmarks/privacy.py", "--accounts", "500", "--log-rows", "2000"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "accounts in the ad feed:                  375" in result.stdout  # 10% opted out, 5% GPC, 10% rejected
    assert "disclosures written:                      375" in result.stdout
    purged = re.search(r"access log rows purged:\s+(\d+) \(expected (\d+)\)", result.stdout)
    assert purged is not None
    assert purged.group(1) == purged.group(2) != "0"
