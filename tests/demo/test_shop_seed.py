import pytest

from demo.seeds import accounts as accounts_demo
from demo.seeds import shop as seed
from privacy.models import Disclosure
from shop.models import Contest, Order, Product


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
    assert len(mailoutbox) == 3  # two confirmations and one shipping notice
