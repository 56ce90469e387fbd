"""Mailing fan-out benchmark: prints figures, asserts nothing.

It creates a throwaway PostgreSQL database (dropped afterwards), seeds N subscribers with SQL, then plans one
edition and sends it in this process with Django's dummy email backend, the way one worker process would.

    .venv/bin/python benchmarks/mailing.py                  # 100,000 subscribers
    .venv/bin/python benchmarks/mailing.py --million        # 1,000,000
    .venv/bin/python benchmarks/mailing.py --subscribers 500   (what the test suite runs so it can't rot)

DATABASE_URL names the server (its database name is replaced by a private one).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="1,000,000 subscribers")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    count = 1_000_000 if args.million else args.subscribers

    env = {
        "CELERY_TASK_ALWAYS_EAGER": "0",  # batch tasks go to an in-memory broker; this process sends
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SUBSCRIPTIONS_SEND_BATCH_SIZE": str(args.batch),
    }
    with throwaway_database("spc_bench_mailing", keep=args.keep, env=env):
        run(count, args.batch)


def run(count: int, batch: int) -> None:
    from django.db import connection

    from subscriptions import mailing
    from subscriptions.models import Edition, Topic
    from subscriptions.schedule import shop_zone

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO subscriptions_subscriber
                (email, created_at, confirmed_at, suppressed_reason, soft_bounce_count, secret_key)
            SELECT 'reader' || g || '@example.com', now(), CASE WHEN g %% 50 = 0 THEN NULL ELSE now() END, '', 0,
                   md5(g::text) || md5((g * 7)::text)
            FROM generate_series(1, %s) AS g
            """,
            [count],
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

    statements = 0

    def counter(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    queued = mailing.plan_edition(edition_id=edition.pk)
    plan_seconds = time.perf_counter() - started

    sent = 0
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        while True:
            result = mailing.send_batch(edition_id=edition.pk, size=batch)
            if result.claimed == 0:
                break
            sent += result.sent
    send_seconds = time.perf_counter() - started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"subscribers seeded:              {count:>12,} ({seeded:.1f} s)")
    print(f"eligible, planned:               {queued:>12,}")
    print(f"plan seconds:                    {plan_seconds:>12.2f}")
    print(f"messages sent:                   {sent:>12,} in {send_seconds:.1f} s")
    print(f"messages per second per worker:  {sent / send_seconds if send_seconds else 0:>12,.0f}")
    print(f"SQL statements per 1,000 sent:   {statements * 1000 / sent if sent else 0:>12.1f}")
    print(f"peak RSS (MB):                   {peak_rss_mb:>12.1f}")
    print(f"edition status:                  {Edition.objects.get(pk=edition.pk).status:>12}")


if __name__ == "__main__":
    main()
