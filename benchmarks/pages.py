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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import throwaway_database


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
            confirmed_at=now,
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
            confirmed_at=now,
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

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates and drops its own database).")
    with throwaway_database("spc_bench_pages", env={"DEBUG": "0"}):
        from django.test import Client
        from django.urls import reverse

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


if __name__ == "__main__":
    main()
