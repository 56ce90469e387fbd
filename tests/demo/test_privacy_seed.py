import pytest

from demo.seeds import accounts as accounts_demo
from demo.seeds import privacy as seed
from privacy.models import ConsentEvent, PrivacySettings
from privacy.selectors import ad_feed_audience


@pytest.mark.django_db
def test_the_demo_seed_is_idempotent_and_matches_what_it_announces():
    accounts_demo.seed()
    seed.seed()
    counts = (ConsentEvent.objects.count(), PrivacySettings.objects.count())
    seed.seed()
    assert (ConsentEvent.objects.count(), PrivacySettings.objects.count()) == counts
    emails = set(ad_feed_audience().values_list("email", flat=True))
    assert "grace@example.com" in emails
    assert "ada@example.com" not in emails
