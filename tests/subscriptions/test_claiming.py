"""The claim: one statement leases the rows and loads what sending reads; the re-check splits them."""

import pytest

from subscriptions import mailing
from subscriptions.mailing import claiming
from subscriptions.models import Delivery
from tests.subscriptions.test_mailing import make_edition, population  # noqa: F401 (a fixture)


@pytest.mark.django_db
def test_a_claim_leases_disjoint_rows_and_counts_the_attempt(population, topics):  # noqa: F811
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    first, second = claiming.claim(edition, 2), claiming.claim(edition, 2)
    assert len(first) == 2
    assert len(second) == 1
    assert not {row.id for row in first} & {row.id for row in second}
    rows = {row.id: row for row in first + second}
    for delivery in Delivery.objects.filter(edition=edition).select_related("subscriber"):
        row = rows[delivery.pk]
        assert delivery.lease_until is not None
        assert row.attempts == delivery.attempts == 1
        assert (row.subscription_id, row.subscriber.id) == (delivery.subscription_id, delivery.subscriber_id)
        assert (row.subscriber.email, row.subscriber.secret_key) == (
            delivery.subscriber.email,
            delivery.subscriber.secret_key,
        )
        assert row.subscriber.pk == delivery.subscriber_id
        assert not row.carries
        assert not row.open_tracking
    assert claiming.claim(edition, 2) == []


@pytest.mark.django_db
def test_claiming_and_loading_is_one_statement_and_the_recheck_one_more(population, topics):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    edition.refresh_from_db()  # (as planned: its slot's frequencies)
    with CaptureQueriesContext(connection) as captured:
        rows = claiming.claim(edition, 10)
        eligible, ineligible = claiming.check(edition, rows)
        sections, held, gone = claiming.load_sections(eligible)  # no lead carries sections: no query
    statements = [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) == 2, statements
    assert (len(eligible), ineligible, sections, held, gone) == (3, [], {}, [], [])


@pytest.mark.django_db
def test_the_portable_claim_of_the_sqlite_demo_leases_and_loads_the_same(population, topics, monkeypatch):  # noqa: F811
    """Without PostgreSQL's data-modifying CTEs (the demo's SQLite) the claim is two statements that give the same
    rows: run here on PostgreSQL by taking the portable branch, against the one-statement claim of a twin edition."""
    from django.db import connection

    one = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=one.pk)
    expected = claiming.claim(one, 10)
    Delivery.objects.filter(edition=one).delete()
    twin = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=twin.pk)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    got = claiming.claim(twin, 10)

    def shape(rows):
        return sorted(
            (r.attempts, r.subscription_id, r.subscriber.email, r.subscriber.language, r.open_tracking, r.carries)
            for r in rows
        )

    assert len(got) == 3
    assert shape(got) == shape(expected)
    assert all(d.lease_until and d.attempts == 1 for d in Delivery.objects.filter(edition=twin))
    assert claiming.claim(twin, 10) == []
