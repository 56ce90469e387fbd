"""The benchmarks run at a tiny size in the suite so they can't rot; their figures are read by people, not asserted."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="needs PostgreSQL"
)


def run_benchmark(*args: str, **extra_env: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(extra_env)
    result = subprocess.run(  # noqa: S603 (our own scripts)
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.parametrize(
    ("backend", "api_calls"),
    [
        ("sendgrid", "11.2"),
        ("postmark", "16.9"),  # a batch through a stored template: its creation, then one call per batch of 100
        ("postmark-each", "1000.0"),  # SUBSCRIPTIONS_ESP_TEMPLATES off: a per-message-only ESP
        ("smtp", "1000.0"),
        ("dummy", "1000.0"),
    ],
)
def test_the_mailing_benchmark_runs_and_prints_its_figures(backend, api_calls):
    templates = {"SUBSCRIPTIONS_ESP_TEMPLATES": "False"} if backend.endswith("-each") else {}
    backend = backend.removesuffix("-each")
    out = run_benchmark(
        "benchmarks/mailing.py",
        "--backend",
        backend,
        "--subscribers",
        "200",
        "--batch",
        "100",
        "--latency-ms",
        "5",
        **templates,
    )
    for figure in ["plan seconds", "messages per second per worker", "SQL statements per 1,000 sent", "peak RSS"]:
        assert figure in out
    assert re.search(rf"API calls per 1,000 messages:\s+{re.escape(api_calls)}\n", out), out
    assert re.search(r"messages sent:\s+178 in .* \(0 failed\)", out)  # every eligible reader, none failed
    assert re.search(r"edition status:\s+sent", out)
    assert float(re.search(r"machine yardstick \(CPU s\):\s+([\d.]+)", out).group(1)) > 0
    if backend in {"sendgrid", "postmark"}:
        assert re.search(r"messages the ESP accepted:\s+178\n", out)


def test_the_mailing_benchmark_runs_two_workers_on_one_edition_with_nobody_twice():
    out = run_benchmark(
        "benchmarks/mailing.py",
        "--backend",
        "sendgrid",
        "--subscribers",
        "400",
        "--batch",
        "50",
        "--latency-ms",
        "20",  # slow enough an ESP that both processes get batches
        "--workers",
        "2",
    )
    assert re.search(r"worker processes:\s+2\n", out), out
    assert re.search(r"messages sent:\s+356 in .* \(0 failed\)", out), out  # every eligible reader once
    assert re.search(r"messages the ESP accepted:\s+356\n", out), out  # and the ESP got nobody twice
    share = int(re.search(r"this worker's share:\s+([\d,]+)", out).group(1).replace(",", ""))
    assert 0 < share < 356  # both processes really sent
    assert "messages per second, all workers:" in out


@pytest.mark.skipif(
    shutil.which("pgbouncer") is None and os.environ.get("REQUIRE_SERVICES") != "1", reason="needs PgBouncer"
)
def test_the_mailing_benchmark_runs_through_pgbouncer_in_transaction_pooling_with_two_workers():
    """make bench-pgbouncer: the plan and two sending processes, every statement through transaction pooling."""
    out = run_benchmark(
        "benchmarks/mailing.py",
        "--backend",
        "sendgrid",
        "--subscribers",
        "400",
        "--batch",
        "50",
        "--latency-ms",
        "20",
        "--workers",
        "2",
        "--pgbouncer",
    )
    assert re.search(r"database connection:\s+PgBouncer \(transaction pooling\)\n", out), out
    assert re.search(r"messages sent:\s+356 in .* \(0 failed\)", out), out
    assert re.search(r"messages the ESP accepted:\s+356\n", out), out
    assert re.search(r"edition status:\s+sent", out)


def test_the_privacy_benchmark_runs_and_prints_its_figures():
    out = run_benchmark("benchmarks/privacy.py", "--accounts", "500", "--log-rows", "2000")
    # only those who said yes (sharing needs an explicit yes): 7 in 10 made a choice, of whom 1 said no and 1
    # rejected advertising cookies, and half of one more class sent GPC: 500 x (5/10) - 25 = 225
    assert "accounts in the ad feed:                  225" in out
    assert "disclosures written:                      225" in out
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
