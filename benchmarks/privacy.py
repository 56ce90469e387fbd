"""Privacy benchmark: the ad-partner feed export and the AccessLog purge. Prints figures, asserts nothing.

It creates a throwaway PostgreSQL database (dropped afterwards), seeds N accounts with SQL (3 in 10 never made a
privacy choice, so they are not shared; of the rest 1 in 10 said no to sharing, 1 in 10 rejected advertising
cookies and 1 in 20 sent GPC: 45% end up in the feed) and M AccessLog rows (half past retention), then runs one
feed export and one purge the way the Celery tasks would.

    .venv/bin/python benchmarks/privacy.py                       # 100,000 accounts, 1,000,000 log rows
    .venv/bin/python benchmarks/privacy.py --accounts 500 --log-rows 2000   (what the test suite runs)

DATABASE_URL names the server (its database name is replaced by a private one).
"""

from __future__ import annotations

import argparse
import datetime
import io
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--log-rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    with throwaway_database("spc_bench_privacy", keep=args.keep):
        run(args.accounts, args.log_rows)


def run(accounts: int, log_rows: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from privacy import services
    from privacy.models import AccessLog, Disclosure

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, email, first_name, last_name, phone, country, gender,
                                       age_band, age_attested_at, age_attestation_version, is_staff, is_active,
                                       date_joined)
            SELECT '!', false, 'shopper' || g || '@example.com', 'First', 'Last', '', 'FR', '', 'adult', now(),
                   '2026-11', false, true, now()
            FROM generate_series(1, %s) AS g
            """,
            [accounts],
        )
        cursor.execute(
            """
            INSERT INTO account_emailaddress (user_id, email, verified, "primary")
            SELECT id, email, true, true FROM accounts_user
            """,
            [],
        )
        cursor.execute(
            """
            INSERT INTO privacy_privacysettings (user_id, cookies_chosen_at, preferences_cookies, analytics_cookies,
                                                 advertising_cookies, ad_sharing_opted_out, ad_sharing_agreed_at,
                                                 gpc_recorded_at, updated_at)
            SELECT id, now(), true, true, id %% 10 <> 3, id %% 10 = 1, CASE WHEN id %% 10 <> 1 THEN now() END,
                   CASE WHEN id %% 20 = 2 THEN now() END, now()
            FROM accounts_user WHERE id %% 2 = 1 OR id %% 10 IN (2, 4)
            """,
            [],
        )
        cursor.execute(
            """
            INSERT INTO privacy_accesslog (created_at, event, user_id, method, path, status, ip_prefix, user_agent)
            SELECT now() - (g %% 360) * interval '1 day', 'page', NULL, 'GET', '/privacy/', 200, '203.0.113.0/24',
                   'bench'
            FROM generate_series(1, %s) AS g
            """,
            [log_rows],
        )
        cursor.execute("ANALYZE")
    seeded = time.perf_counter() - started

    statements = 0

    def counter(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    out = io.StringIO()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        in_feed = services.export_ad_partner_feed(out=out, reference="ad-feed:bench")
    export_seconds = time.perf_counter() - started
    export_statements = statements

    statements = 0
    expected = AccessLog.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=180)).count()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        purged = services.purge_access_logs(older_than_days=180)
    purge_seconds = time.perf_counter() - started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"accounts seeded:                 {accounts:>12,} ({seeded:.1f} s, with {log_rows:,} log rows)")
    print(f"accounts in the ad feed:         {in_feed:>12,} ({len(out.getvalue()) / 1e6:.1f} MB CSV)")
    print(f"feed export seconds:             {export_seconds:>12.2f}")
    print(f"feed rows per second:            {in_feed / export_seconds if export_seconds else 0:>12,.0f}")
    print(f"SQL statements per export:       {export_statements:>12,}")
    print(f"disclosures written:             {Disclosure.objects.filter(reference='ad-feed:bench').count():>12,}")
    print(f"access log rows purged:          {purged:>12,} (expected {expected:,})")
    print(f"purge seconds:                   {purge_seconds:>12.2f}")
    print(f"SQL statements per purge:        {statements:>12,}")
    print(f"peak RSS (MB):                   {peak_rss_mb:>12.1f}")


if __name__ == "__main__":
    main()
