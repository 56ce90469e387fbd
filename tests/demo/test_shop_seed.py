import pytest

from demo.seeds import accounts as accounts_demo
from demo.seeds import shop as seed
from privacy.models import Disclosure
from shop.models import Contest, ContestEntry, Order, Product


@pytest.mark.django_db
def test_demo_seed_is_idempotent_and_believable(django_capture_on_commit_callbacks, mailoutbox):
    accounts_demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        seed.seed()
    seed.seed()
    assert Product.objects.filter(is_published=True).count() == 12
    assert all(p.styles.exists() for p in Product.objects.all())
    assert Order.objects.filter(user__email=seed.DEMO_SHOPPER).count() == 2
    assert Disclosure.objects.filter(recipient_kind="carrier").count() == 1
    assert Contest.objects.filter(drawn_at__isnull=False).exists()
    winners = sorted(ContestEntry.objects.filter(is_winner=True).values_list("email", flat=True))
    assert winners
    won = [m for m in mailoutbox if m.subject.startswith("You won:")]
    assert sorted(m.to[0] for m in won) == winners  # each winner emailed once, the re-seed sends nothing again
    assert len(mailoutbox) - len(won) == 3  # two confirmations and one shipping notice
