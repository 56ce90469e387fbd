"""`make load`: gunicorn as the Procfile runs it, PostgreSQL and Redis, under the Locust scenario (locustfile.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything REDIS_URL=redis://127.0.0.1:6379/0 \\
        python benchmarks/load.py [--rates 10,20,40,80] [--seconds 20] [--baseline-users 8]

1. A throwaway database (spc_load_<pid>) is migrated and seeded: one product with 1,000 published reviews and 23
   more, 50 shoppers with addresses and signed-in sessions, 2,000 subscribers with emailed-link tokens.
2. gunicorn starts with the Procfile's `web` command on a free loopback port (settings: benchmarks/load_settings.py,
   which adds the bare baseline view and lifts the per-IP limits: every visitor here is 127.0.0.1).
3. Locust runs headless, step by step, at each offered rate (users x ~1 request/s) for --seconds, then the one-click
   endpoint alone and the bare UPDATE view alone, each with --baseline-users users that never wait. Each one-click
   request there is a first unsubscribe of its own reader (an UPDATE and a ledger row), not a repeat.
4. It prints requests/s, p50/p95/p99 and errors per endpoint for every step, the highest step with p95 < 200 ms and
   no errors, and the one-click/baseline ratio. It prints figures; it asserts nothing. Everything is dropped after.
Tasks enqueued by the requests go to a private Celery queue nobody consumes (deleted at the end): the load is the
web tier's.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, throwaway_database

TARGET_P95_MS = 200
ONE_CLICK_READERS = 12_000
MIX = ["Shopper", "Subscriber", "Signup"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(directory: Path) -> Path:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.models import Address, User
    from reviews.models import Review, ReviewStatus
    from shop.models import Brand, Category, Product
    from subscriptions.models import Subscriber, Subscription, Topic
    from subscriptions.tokens import Purpose, make_token

    brand = Brand.objects.create(name="Load brand", slug="load-brand", is_published=True)
    category = Category.objects.create(name="Load category", slug="load-category")
    products = Product.objects.bulk_create(
        Product(brand=brand, category=category, name=f"Load product {i:02d}", slug=f"load-{i:02d}", price="19.90")
        for i in range(24)
    )
    now = timezone.now()
    Review.objects.bulk_create(
        Review(
            product=products[0],
            rating=1 + i % 5,
            title=f"Review {i}",
            body="Comfortable and well made. Runs a little large; I would take one size down. " * 3,
            display_name=f"Reviewer {i}",
            email=f"reviewer{i}@example.net",
            city="Lyon",
            country="FR",
            status=ReviewStatus.PUBLISHED,
            confirmed_at=now,
            published_at=now - timezone.timedelta(minutes=i),
        )
        for i in range(1000)
    )
    sessions = []
    users = User.objects.bulk_create(
        User(email=f"load-shopper{i}@example.com", first_name="Load", last_name=f"Shopper {i}", country="FR")
        for i in range(50)
    )
    for user in users:
        user.set_password("a-long-passphrase-77")
        user.save(update_fields=["password"])
        Address.objects.create(
            user=user,
            kind="shipping",
            full_name="Load Shopper",
            line1="1 Rue de la Paix",
            city="Paris",
            postal_code="75002",
            country="FR",
            is_default=True,
        )
        session = SessionStore()
        session.update(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
        )
        session.create()
        sessions.append(session.session_key)
    newsletter = Topic.objects.get(slug="newsletter")
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(email=f"load-reader{i}@example.com", confirmed_at=now) for i in range(2000)
    )
    subscriptions = Subscription.objects.bulk_create(
        Subscription(subscriber=s, topic=newsletter, frequency="weekly", state="active") for s in subscribers
    )
    # The one-click step's own readers: each of its requests is a first unsubscribe (an UPDATE and a ledger row), not
    # a retry of one the mix already made (which writes nothing), as long as the step sends fewer than this many.
    one_click_readers = Subscriber.objects.bulk_create(
        Subscriber(email=f"load-one-click{i}@example.com", confirmed_at=now) for i in range(ONE_CLICK_READERS)
    )
    Subscription.objects.bulk_create(
        Subscription(subscriber=s, topic=newsletter, frequency="weekly", state="active") for s in one_click_readers
    )
    data = {
        "one_click_tokens": [make_token(s, purpose=Purpose.UNSUBSCRIBE, topic=newsletter) for s in one_click_readers],
        "product": products[0].slug,
        "product_id": products[0].pk,
        "sessions": sessions,
        "subscribers": [
            {
                "preferences": make_token(s, purpose=Purpose.PREFERENCES),
                "unsubscribe": make_token(s, purpose=Purpose.UNSUBSCRIBE, topic=newsletter),
            }
            for s in subscribers
        ],
        "subscription_ids": [s.pk for s in subscriptions],
    }
    path = directory / "load-data.json"
    path.write_text(json.dumps(data))
    return path


def procfile_web(port: int) -> list[str]:
    line = next(entry for entry in (ROOT / "Procfile").read_text().splitlines() if entry.startswith("web:"))
    command = line.split(":", 1)[1].replace("${PORT:-8000}", str(port))
    args = shlex.split(command)
    args[0] = str(Path(sys.executable).parent / args[0])  # the venv's gunicorn
    return args  # its access log (stdout) goes to a file, so the figures stay readable


def start_gunicorn(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    process = subprocess.Popen(procfile_web(port), cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start:\n" + log.read_text()[-3000:])


def run_locust(*, host: str, users: int, seconds: int, classes: list[str], env: dict, result: Path) -> list[dict]:
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f", str(ROOT / "benchmarks" / "locustfile.py"),
        "--headless", "--only-summary", "--skip-log-setup",
        "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
        "--host", host, "--exit-code-on-error", "0", "--loglevel", "ERROR",
        *classes,
    ]  # fmt: skip
    done = subprocess.run(  # noqa: S603
        command, cwd=ROOT, env={**env, "LOAD_RESULT": str(result)}, capture_output=True, timeout=seconds + 120
    )
    if done.returncode or not result.exists():
        raise RuntimeError(f"locust failed:\n{done.stderr.decode(errors='replace')[-3000:]}")
    return json.loads(result.read_text())


def print_table(title: str, rows: list[dict]) -> dict:
    print(f"\n{title}")
    print(f"  {'endpoint':<36} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for row in rows:
        print(
            f"  {row['name']:<36} {row['requests']:>8} {row['errors']:>6} {row['rps']:>7.1f} "
            f"{row['p50']:>7.0f} {row['p95']:>7.0f} {row['p99']:>7.0f}"
        )
    return rows[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="10,20,40,80", help="offered rates (users at ~1 request/s each)")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--baseline-users", type=int, default=8)
    parser.add_argument(
        "--profile", action="store_true", help="per-endpoint wall/CPU/SQL and cProfile inside gunicorn (slower)"
    )
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    queue = f"load-{os.getpid()}"
    with (
        tempfile.TemporaryDirectory(prefix="spc-load-") as tmp,
        throwaway_database(
            "spc_load",
            env={
                "REDIS_URL": redis_url,
                "CELERY_QUEUE": queue,
                # allauth's confirmation email is sent inside the signup request: to files, not to an SMTP server.
                "EMAIL_BACKEND": "demo.mailbox.FileMailboxBackend",
                "MAILBOX_DIR": f"{tmp}/mail",
            },
        ),
    ):
        directory = Path(tmp)
        data = seed(directory)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
            "CACHE_KEY_PREFIX": queue,
            "LOAD_DATA": str(data),
        }
        if args.profile:
            env["LOAD_PROFILE"] = str(directory / "profile")
        port = free_port()
        host = f"http://127.0.0.1:{port}"
        gunicorn = start_gunicorn(port, env, directory / "gunicorn.log")
        try:
            workers = os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1)
            print(f"gunicorn (Procfile, {workers} sync workers) on {host}; PostgreSQL, Redis; {os.cpu_count()} CPUs")
            print(f"each step: {args.seconds}s; mix: shoppers 6 : subscribers 3 : signups 1")
            print(
                "load average before: {:.1f} {:.1f} {:.1f} (other processes share these CPUs)".format(*os.getloadavg())
            )
            warm = directory / "warm-up.json"
            run_locust(host=host, users=2, seconds=min(5, args.seconds), classes=MIX, env=env, result=warm)  # not shown
            passing = None
            for rate in [int(r) for r in args.rates.split(",")]:
                rows = run_locust(
                    host=host,
                    users=rate,
                    seconds=args.seconds,
                    classes=MIX,
                    env=env,
                    result=directory / f"mix{rate}.json",
                )
                total = print_table(f"offered ~{rate} requests/s ({rate} users)", rows)
                if total["requests"] and total["errors"] == 0 and total["p95"] < TARGET_P95_MS:
                    passing = (rate, total)
            baseline = {}
            for name in ["BareUpdate", "OneClickOnly"]:
                rows = run_locust(
                    host=host,
                    users=args.baseline_users,
                    seconds=args.seconds,
                    classes=[name],
                    env=env,
                    result=directory / f"{name}.json",
                )
                baseline[name] = print_table(f"{name}: {args.baseline_users} users, no wait", rows)
            if baseline["OneClickOnly"]["requests"] > ONE_CLICK_READERS:
                print(f"  (past {ONE_CLICK_READERS} requests the one-click step repeated earlier unsubscribes)")
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
            from config.celery import app

            with app.connection_for_write() as conn:
                conn.default_channel.queue_delete(queue)
        if args.profile:
            from profiling import summarise

            print("\nInside gunicorn, every step together (benchmarks/profiling.py; the profiler adds its own cost):")
            print(summarise(directory / "profile"))
        print("\nload average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
        if passing:
            rate, total = passing
            print(
                f"highest step with p95 < {TARGET_P95_MS} ms and no errors: offered ~{rate}/s, served "
                f"{total['rps']:.1f} requests/s, p95 {total['p95']:.0f} ms"
            )
        else:
            print(f"no step held p95 < {TARGET_P95_MS} ms with no errors")
        bare, one_click = baseline["BareUpdate"], baseline["OneClickOnly"]
        ratio = f"{one_click['rps'] / bare['rps']:.0%}" if bare["rps"] else "n/a"
        print(
            f"one-click unsubscribe {one_click['rps']:.1f} req/s vs bare UPDATE view {bare['rps']:.1f} req/s: "
            f"{ratio} of the baseline (target: at least 50%)"
        )


if __name__ == "__main__":
    main()
