from tests.subscriptions.conftest import ledger, subscriber, topics  # noqa: F401  (shared fixtures)
