"""Render cost of the product page with 1,000 published reviews, and of the product list with review ratings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything python benchmarks/pages.py [--requests 50] [--reviews 1000]

Creates a throwaway database (spc_bench_pages) on DATABASE_URL's server, migrates it, seeds one product with the
reviews plus 24 listed products, renders each page through Django's full request stack, prints the median (and
spread) of the render times and the number of queries, then drops the database. It prints figures; it asserts
no times (machines differ). Target on the project's reference machine: product page under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BENCH_DB = "spc_bench_pages"


def recreate_database(server_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg

    parsed = urlparse(server_url)
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def seed(review_count: int):
    from django.utils import timezone

    from reviews.models import Review, ReviewStatus
    from shop.models import Brand, Category, Product

    brand = Brand.objects.create(name="Bench brand", slug="bench-brand", is_published=True)
    category = Category.objects.create(name="Bench category", slug="bench-category")
    products = Product.objects.bulk_create(
        Product(brand=brand, category=category, name=f"Bench product {i:02d}", slug=f"bench-{i:02d}", price="19.90")
        for i in range(24)
    )
    product = products[0]
    now = timezone.now()
    Review.objects.bulk_create(
        Review(
            product=p,
            rating=1 + i % 5,
            title=f"Review {i}",
            body="Comfortable and well made. Runs a little large; I would take one size down. " * 3,
            display_name=f"Reviewer {i}",
            email=f"reviewer{i}@example.net",
            city="Lyon",
            country="FR",
            status=ReviewStatus.PUBLISHED,
            published_at=now - timezone.timedelta(minutes=i),
        )
        for i in range(review_count)
        for p in [product]
    )
    Review.objects.bulk_create(
        Review(
            product=p,
            rating=4,
            title="Nice",
            body="Nice.",
            display_name="A",
            email=f"list{n}@example.net",
            city="Paris",
            country="FR",
            status=ReviewStatus.PUBLISHED,
            published_at=now,
        )
        for n, p in enumerate(products[1:])
    )
    return product


def measure(client, url: str, requests: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm the template cache and the connection
        client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured)  # now: the next request resets the connection's query log
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return timings, queries, len(response.content)


def report(label: str, timings: list[float], queries: int, size: int) -> None:
    timings = sorted(timings)
    p90 = timings[int(len(timings) * 0.9) - 1]
    print(
        f"{label:<44} median {statistics.median(timings):6.1f} ms   p90 {p90:6.1f} ms   "
        f"min {timings[0]:6.1f} ms   {queries} queries   {size / 1024:.0f} KiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--reviews", type=int, default=1000)
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates and drops its own database).")
    recreate_database(server_url, BENCH_DB)
    os.environ["DATABASE_URL"] = urlparse(server_url)._replace(path=f"/{BENCH_DB}").geturl()
    os.environ["DEBUG"] = "0"
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client
        from django.urls import reverse

        call_command("migrate", verbosity=0)
        product = seed(args.reviews)
        client = Client()
        print(
            f"{args.requests} requests each, after 3 warm-up requests; {args.reviews} published reviews on the product"
        )
        for label, url in [
            (f"product page ({args.reviews} reviews, newest)", product.get_absolute_url()),
            ("product page (by rating, page 30)", product.get_absolute_url() + "?reviews_sort=rating&reviews_page=30"),
            ("product list (24 products with ratings)", reverse("shop:product_list")),
        ]:
            report(label, *measure(client, url, args.requests))
        connections.close_all()
    finally:
        recreate_database(server_url, BENCH_DB, drop_only=True)


if __name__ == "__main__":
    main()
