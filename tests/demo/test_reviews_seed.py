import pytest
from django.core.management import call_command

from demo.seeds import reviews as seed
from reviews.models import Review, ReviewStatus
from tests.factories import ProductFactory, launch_topics

pytestmark = pytest.mark.django_db


def test_without_products_no_reviews_and_a_message():
    assert seed.seed() == ["Reviews: no published products yet, so no demo reviews were created."]
    assert not Review.objects.exists()


def test_seeds_published_and_pending_reviews_once():
    ProductFactory(slug="linen-shirt")
    ProductFactory.create_batch(3)
    seed.seed()
    statuses = dict.fromkeys(ReviewStatus.values, 0)
    for status in Review.objects.values_list("status", flat=True):
        statuses[status] += 1
    assert statuses[ReviewStatus.PUBLISHED] >= 5
    assert statuses[ReviewStatus.PENDING] >= 1
    before = sorted(Review.objects.values_list("pk", "status", "updated_at"))
    assert "already present" in seed.seed()[0]
    assert sorted(Review.objects.values_list("pk", "status", "updated_at")) == before


def test_seed_demo_command_runs_the_reviews_seed(capsys, demo_mode):
    launch_topics()  # a transactional test elsewhere in this worker may have flushed the migration's topics
    ProductFactory.create_batch(4)
    call_command("seed_demo")
    assert "Reviews:" in capsys.readouterr().out
    assert Review.objects.filter(status=ReviewStatus.PUBLISHED).exists()
