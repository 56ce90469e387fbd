import pytest

from privacy.models import ConsentEvent
from tests.factories import SubscriberFactory, SubscriptionFactory, launch_topics


@pytest.fixture
def topics(db):
    return launch_topics()


@pytest.fixture
def subscriber(topics):
    """A confirmed guest receiving the newsletter twice a week."""
    subscriber = SubscriberFactory(email="reader@example.com")
    SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"], frequency="twice_weekly")
    return subscriber


@pytest.fixture
def ledger():
    """The consent events written since the fixture was created, oldest first."""

    class Ledger:
        def __init__(self) -> None:
            self.start = ConsentEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

        def new(self) -> list[ConsentEvent]:
            return list(ConsentEvent.objects.filter(id__gt=self.start).order_by("id"))

    return Ledger()
