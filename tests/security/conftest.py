"""Fixtures shared by the attack tests (each file in this folder performs one attack from issue 12)."""

from tests.subscriptions.conftest import ledger, subscriber, topics  # noqa: F401
