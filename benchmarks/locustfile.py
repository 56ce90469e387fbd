"""The load scenario run by `make load` (benchmarks/load.py), against gunicorn as the Procfile runs it.

Visitors, in the proportions of a shop's traffic:
- shoppers (weight 6): home, catalogue, the product page with 1,000 reviews, add to cart, checkout with the test card;
- subscribers (weight 3): their preference page by emailed token, a one-click unsubscribe POST (RFC 8058);
- signups (weight 1): the age screen, then the account form.
Each simulated visitor makes about one request per second (constant throughput), so users ≈ requests/s offered.
Two more classes measure the one-click endpoint against its baseline, each alone and as fast as it goes:
OneClickOnly and BareUpdate (a bare Django view doing one UPDATE, present only in benchmarks/load_urls.py).

LOAD_DATA names the JSON file benchmarks/load.py writes: session cookies of seeded shoppers, subscribers' tokens,
the product's slug, subscription ids for the baseline. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import uuid
from pathlib import Path

from locust import HttpUser, between, constant, constant_throughput, events, task

DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text()) if os.environ.get("LOAD_DATA") else {}
SHOPPERS = itertools.cycle(DATA.get("sessions", [""]))
TOKENS = itertools.cycle(DATA.get("subscribers", [{"preferences": "", "unsubscribe": ""}]))
SUBSCRIPTION_IDS = itertools.cycle(DATA.get("subscription_ids", [0]))
ONE_CLICK_TOKENS = itertools.cycle(DATA.get("one_click_tokens", [""]))  # readers nobody else unsubscribes
PRODUCT = DATA.get("product", "")
CHECKOUT_FIELDS = {
    "checkout_key": re.compile(r'name="checkout_key" value="([^"]+)"'),
    "expected_subtotal": re.compile(r'name="expected_subtotal" value="([^"]+)"'),
    "shipping_address": re.compile(r'name="shipping_address" value="(\d+)"[^>]*checked'),
    "billing_address": re.compile(r'name="billing_address" value="(\d+)"[^>]*checked'),
}
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@events.quitting.add_listener
def write_figures(environment, **kwargs) -> None:
    """Per endpoint: requests, errors, requests/s, p50/p95/p99 (ms), as JSON in LOAD_RESULT for benchmarks/load.py."""
    if not os.environ.get("LOAD_RESULT"):
        return
    stats = environment.stats
    seconds = max(stats.last_request_timestamp - stats.start_time, 1e-9) if stats.last_request_timestamp else 1.0

    def figures(name: str, entry) -> dict:
        return {
            "name": name,
            "requests": entry.num_requests,
            "errors": entry.num_failures,
            "rps": entry.num_requests / seconds,
            **{f"p{p}": entry.get_response_time_percentile(p / 100) or 0 for p in (50, 95, 99)},
        }

    entries = sorted(stats.entries.values(), key=lambda e: (e.name, e.method))
    rows = [figures(f"{entry.method} {entry.name}", entry) for entry in entries]
    rows.append(figures("all endpoints", stats.total))
    Path(os.environ["LOAD_RESULT"]).write_text(json.dumps(rows))


def csrf(client) -> str:
    return client.cookies.get("csrftoken", "")


class Shopper(HttpUser):
    weight = 6
    wait_time = constant_throughput(1)

    def on_start(self) -> None:
        self.client.cookies.set("sessionid", next(SHOPPERS))

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(3)
    def catalogue(self) -> None:
        self.client.get("/shop/", name="catalogue")

    @task(3)
    def product_page(self) -> None:
        self.client.get(f"/shop/products/{PRODUCT}/", name="product page (1,000 reviews)")

    @task(1)
    def buy(self) -> None:
        self.client.get(f"/shop/products/{PRODUCT}/", name="product page (1,000 reviews)")
        self.client.post(
            "/shop/cart/add/",
            {"product_id": DATA["product_id"], "style_id": "", "quantity": 1, "csrfmiddlewaretoken": csrf(self.client)},
            name="add to cart",
        )
        self.client.get("/shop/cart/", name="cart")
        page = self.client.get("/shop/checkout/", name="checkout page").text
        form = {field: (pattern.search(page) or [None, ""])[1] for field, pattern in CHECKOUT_FIELDS.items()}
        form |= {"carrier": "dhl", "payment_token": "tok_test_visa_4242_load0001"}
        with self.client.post(
            "/shop/checkout/",
            {**form, "csrfmiddlewaretoken": csrf(self.client)},
            name="place order",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/orders/" not in response.headers.get("Location", ""):
                response.failure(f"no order placed ({response.status_code})")


class Subscriber(HttpUser):
    weight = 3
    wait_time = constant_throughput(1)

    @task(1)
    def preferences(self) -> None:
        self.client.get(f"/preferences/{next(TOKENS)['preferences']}/", name="preference page (token)")

    @task(1)
    def one_click(self) -> None:
        self.client.post(f"/unsubscribe/{next(TOKENS)['unsubscribe']}/", ONE_CLICK, name="one-click unsubscribe")


class Signup(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    @task
    def sign_up(self) -> None:
        self.client.cookies.clear()
        self.client.get("/accounts/age/", name="signup: age screen")
        with self.client.post(
            "/accounts/age/",
            {
                "date_of_birth_day": "17",
                "date_of_birth_month": "5",
                "date_of_birth_year": "1990",
                "csrfmiddlewaretoken": csrf(self.client),
            },
            name="signup: age screen",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:  # an answer the form refused would skip the signup below unnoticed
                response.failure(f"age screen not passed ({response.status_code})")
                return
        self.client.get("/accounts/signup/", name="signup: form")
        with self.client.post(
            "/accounts/signup/",
            {
                "first_name": "Load",
                "last_name": "Test",
                "email": f"load-{uuid.uuid4().hex[:16]}@example.com",
                "password1": "a-long-passphrase-77",
                "password2": "a-long-passphrase-77",
                "country": "FR",
                "csrfmiddlewaretoken": csrf(self.client),
            },
            name="signup: form",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/accounts/age/" in response.headers.get("Location", ""):
                response.failure(f"signup not accepted ({response.status_code})")


class OneClickOnly(HttpUser):
    """The one-click endpoint alone, as fast as it answers (compared with BareUpdate); each request unsubscribes a
    reader still subscribed, so it measures the UPDATE and the ledger row, not an idempotent repeat."""

    weight = 1  # run alone, by name (benchmarks/load.py); never in the mix
    wait_time = constant(0)

    @task
    def one_click(self) -> None:
        self.client.post(f"/unsubscribe/{next(ONE_CLICK_TOKENS)}/", ONE_CLICK, name="one-click unsubscribe")


class BareUpdate(HttpUser):
    """The baseline: a bare Django view doing one UPDATE, through the same gunicorn and middleware."""

    weight = 1  # run alone, by name (benchmarks/load.py); never in the mix
    wait_time = constant(0)

    @task
    def bare(self) -> None:
        self.client.post(f"/load-baseline/{next(SUBSCRIPTION_IDS)}/", name="bare UPDATE view")
