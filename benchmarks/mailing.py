"""Mailing fan-out benchmark: prints figures, asserts nothing.

It creates a throwaway PostgreSQL database (dropped afterwards), seeds N subscribers with SQL, plans one edition
and sends it in this process, the way one worker process would, through the backend you name:

    sendgrid, mailgun, brevo   anymail's real backend, batch API, against the stand-in ESP (benchmarks/esp_server.py,
    postmark, ses              its own process) answering after --latency-ms; Postmark and SES batch through a stored
                               template (SUBSCRIPTIONS_ESP_TEMPLATES=False: per-message API, SEND_CONCURRENCY calls
                               in flight)
    smtp                       Django's SMTP backend to a local aiosmtpd (its own process; sink handler)
    dummy                      Django's dummy backend (sends nothing: the pipeline's own cost)

    .venv/bin/python benchmarks/mailing.py --backend sendgrid --latency-ms 50      # 100,000 subscribers
    .venv/bin/python benchmarks/mailing.py --backend postmark --subscribers 20000
    .venv/bin/python benchmarks/mailing.py --backend smtp --million
    .venv/bin/python benchmarks/mailing.py --backend mailgun --storm 20   # the first 20 calls answer 429
    .venv/bin/python benchmarks/mailing.py --backend sendgrid --workers 2   # two worker processes, one edition
    .venv/bin/python benchmarks/mailing.py --subscribers 500 --batch 100  (what the test suite runs)
    .venv/bin/python benchmarks/mailing.py --backend sendgrid --languages   # readers in en, fr, de; an edition in all 3
    .venv/bin/python benchmarks/mailing.py --pgbouncer --subscribers 5000   # through PgBouncer (make bench-pgbouncer)

--pgbouncer starts a private PgBouncer in transaction pooling mode (.ci/pgbouncer, as `make test-rabbitmq-pgbouncer`
does) on a free port and sets PGBOUNCER=1: every statement of the plan and the send goes through it (the
database itself is created, seeded and dropped directly).

DATABASE_URL names the server (its database name is replaced by a private one).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, machine_yardstick, throwaway_database

ESPS = ["sendgrid", "mailgun", "postmark", "brevo", "ses"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def stand_in_esp(latency_ms: float) -> Iterator[str]:
    process = subprocess.Popen(  # noqa: S603 (our own script)
        [sys.executable, str(ROOT / "benchmarks" / "esp_server.py"), "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().split()[-1]
        yield url
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def pgbouncer() -> Iterator[str]:
    """A private PgBouncer (transaction pooling) in front of DATABASE_URL's server: yields its "host:port"."""
    port = free_port()
    directory = f"/tmp/spc-bench-pgbouncer-{port}"  # noqa: S108 (.ci/pgbouncer's layout, as in the Makefile)
    script = str(ROOT / ".ci" / "pgbouncer")
    subprocess.run([script, "start", directory, str(port)], check=True)  # noqa: S603
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([script, "stop", directory], check=False)  # noqa: S603
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def local_smtp() -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def esp_env(esp: str, url: str) -> dict[str, str]:
    from esp_server import BACKENDS, EspServer

    configured = EspServer.anymail_settings(_UrlOnly(url), esp)  # its settings table, for a server elsewhere
    env = {"EMAIL_BACKEND": BACKENDS[esp]}
    for key, value in configured["ANYMAIL"].items():
        env[f"ANYMAIL_{key}"] = value if isinstance(value, str) else json.dumps(value)
    return env


class _UrlOnly:
    def __init__(self, url: str) -> None:
        self.url = url


def control(url: str, **request) -> dict:
    body = json.dumps(request).encode()
    path = "/_reset" if request.pop("reset", False) else "/_control"
    with urllib.request.urlopen(urllib.request.Request(f"{url}{path}", data=body), timeout=10) as answer:  # noqa: S310
        return json.load(answer)


def stats(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/_stats", timeout=10) as answer:  # noqa: S310
        return json.load(answer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["dummy", "smtp", *ESPS], default="dummy")
    parser.add_argument("--latency-ms", type=float, default=50, help="the stand-in ESP's answer time")
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="1,000,000 subscribers")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--storm", type=int, default=0, help="the first N API calls answer 429 (Retry-After: 0)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--languages",
        action="store_true",
        help="a third of the subscribers each in en, fr and de, and the edition in all three (issue 16)",
    )
    parser.add_argument(
        "--pgbouncer", action="store_true", help="connect through a private PgBouncer in transaction pooling mode"
    )
    parser.add_argument("--profile", action="store_true", help="print where the sending time goes (cProfile)")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes sending the same edition at once (as on N machines)"
    )
    args = parser.parse_args()
    count = 1_000_000 if args.million else args.subscribers

    env = {
        "CELERY_TASK_ALWAYS_EAGER": "0",  # batch tasks go to an in-memory broker; this process sends
        "SUBSCRIPTIONS_SEND_BATCH_SIZE": str(args.batch),
        "SUBSCRIPTIONS_SEND_RETRY_BACKOFF": "0.05",
    }
    with contextlib.ExitStack() as stack:
        url = None
        if args.backend in ESPS:
            url = stack.enter_context(stand_in_esp(args.latency_ms))
            env.update(esp_env(args.backend, url))
            if args.storm:
                control(url, fail_next=args.storm, status=429, retry_after=0)
        elif args.backend == "smtp":
            port = stack.enter_context(local_smtp())
            env.update(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_PORT=str(port))
            env["EMAIL_HOST"] = "127.0.0.1"
        else:
            env["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
        via = None
        if args.pgbouncer:
            via = stack.enter_context(pgbouncer())
            env["PGBOUNCER"] = "1"
        os.environ.update(env)
        with throwaway_database("spc_bench_mailing", keep=args.keep, env=env, via=via):
            run(count, args.batch, args, url)


def run(count: int, batch: int, args, url: str | None) -> None:
    from django.db import connection

    from subscriptions import mailing
    from subscriptions.mailing import esp
    from subscriptions.models import Edition, Topic
    from subscriptions.schedule import shop_zone

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO subscriptions_subscriber
                (email, created_at, confirmed_at, suppressed_reason, soft_bounce_count, secret_key, language)
            SELECT 'reader' || g || '@example.com', now(), CASE WHEN g %% 50 = 0 THEN NULL ELSE now() END, '', 0,
                   md5(g::text) || md5((g * 7)::text),
                   CASE WHEN %s AND g %% 3 = 1 THEN 'fr' WHEN %s AND g %% 3 = 2 THEN 'de' ELSE '' END
            FROM generate_series(1, %s) AS g
            """,
            [args.languages, args.languages, count],  # --languages: a third each in en, fr and de
        )
        topic_id = Topic.objects.get(slug="newsletter").pk
        cursor.execute(
            """
            INSERT INTO subscriptions_subscription (subscriber_id, topic_id, frequency, state, created_at, updated_at)
            SELECT id, %s,
                   CASE WHEN id %% 20 = 0 THEN 'weekly' WHEN id %% 20 = 1 THEN 'monthly'
                        WHEN id %% 20 = 2 THEN 'paused' ELSE 'twice_weekly' END,
                   CASE WHEN id %% 25 = 3 THEN 'unsubscribed' ELSE 'active' END, now(), now()
            FROM subscriptions_subscriber
            """,
            [topic_id],
        )
        cursor.execute("ANALYZE")
    seeded = time.perf_counter() - started

    import datetime

    edition = Edition.objects.create(
        topic_id=topic_id,
        subject="Benchmark edition",
        preheader="Figures, not adjectives",
        body_text="Hello from {{ SHOP_NAME }}: {{ topic.name }}.\n" + "Lorem ipsum dolor sit amet. " * 40,
        body_html="<h1>Hello</h1><p>{{ topic.name }}</p>" + "<p>Lorem ipsum dolor sit amet.</p>" * 40,
        status=Edition.Status.SCHEDULED,
        slot_at=datetime.datetime(2026, 12, 1, 9, 0, tzinfo=shop_zone()),  # a first Tuesday: every frequency due
    )
    if args.languages:  # a version per language: each recipient gets theirs (issue 16)
        for language in ("fr", "de"):
            edition.versions.create(
                language=language,
                subject=f"Benchmark edition ({language})",
                preheader=edition.preheader,
                body_text=edition.body_text,
                body_html=edition.body_html,
            )

    statements = 0

    def counter(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    queued = mailing.plan_edition(edition_id=edition.pk)
    plan_seconds = time.perf_counter() - started

    sent = failed = 0
    profile = None
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()

    def drain() -> tuple[int, int]:
        done = bad = 0
        while True:
            result = mailing.send_batch(edition_id=edition.pk, size=batch)
            if result.claimed == 0:
                return done, bad
            done += result.sent
            bad += result.failed

    children = []
    if args.workers > 1:  # the others are forked: each its own process and database connection, like a worker
        from django.db import connections

        connections.close_all()
        for _ in range(args.workers - 1):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read)
                child_sent, child_failed = drain()
                os.write(write, json.dumps([child_sent, child_failed]).encode())
                os._exit(0)
            os.close(write)
            children.append((pid, read))
    with connection.execute_wrapper(counter):
        sent, failed = drain()
    own_sent = sent
    for pid, read in children:
        with os.fdopen(read) as pipe:
            child_sent, child_failed = json.loads(pipe.read() or "[0, 0]")
        os.waitpid(pid, 0)
        sent += child_sent
        failed += child_failed
    send_seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    if profile is not None:
        import pstats

        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    api_calls = esp.COUNTER.api_calls
    received = stats(url) if url else None

    print(f"backend:                         {args.backend:>12}" + (f" ({args.latency_ms:g} ms)" if url else ""))
    print(f"database connection:             {'PgBouncer (transaction pooling)' if args.pgbouncer else 'direct':>12}")
    print(f"subscribers seeded:              {count:>12,} ({seeded:.1f} s)")
    print(f"eligible, planned:               {queued:>12,}")
    print(f"plan seconds:                    {plan_seconds:>12.2f}")
    print(f"messages sent:                   {sent:>12,} in {send_seconds:.1f} s ({failed} failed)")
    if args.workers > 1:
        print(f"worker processes:                {args.workers:>12}")
        print(f"messages per second, all workers:{sent / send_seconds if send_seconds else 0:>12,.0f}")
        print(f"this worker's share:             {own_sent:>12,}")
    else:
        print(f"messages per second per worker:  {sent / send_seconds if send_seconds else 0:>12,.0f}")
    print(f"worker CPU seconds per 1,000:    {cpu_seconds * 1000 / own_sent if own_sent else 0:>12.3f}")
    print(f"messages per worker CPU second:  {own_sent / cpu_seconds if cpu_seconds else 0:>12,.0f}")
    print(f"SQL statements per 1,000 sent:   {statements * 1000 / own_sent if own_sent else 0:>12.1f}")
    print(f"peak RSS (MB):                   {peak_rss_mb:>12.1f}")
    print(f"API calls per 1,000 messages:    {api_calls * 1000 / own_sent if own_sent else 0:>12.1f}")
    print(f"retries:                         {esp.COUNTER.retries:>12,}")
    if received is not None:
        print(f"messages the ESP accepted:       {received['messages']:>12,}")
    print(f"edition status:                  {Edition.objects.get(pk=edition.pk).status:>12}")
    print(f"machine yardstick (CPU s):       {machine_yardstick():>12.2f}")


if __name__ == "__main__":
    main()
