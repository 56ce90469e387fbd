import pytest
from django.urls import reverse

from shop import services
from shop.models import Brand, ProductStyle
from subscriptions.models import AlertItem
from tests.factories import BrandFactory, ProductStyleFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def test_publishing_a_brand_in_the_admin_queues_one_alert(staff_client, settings):
    settings.SITE_URL = "https://shop.example.com"
    brand = BrandFactory(name="Maison Verte", slug="maison-verte", is_published=False)
    data = {"name": "Maison Verte", "slug": "maison-verte", "description": "", "is_published": "on"}
    staff_client.post(reverse("admin:shop_brand_change", args=[brand.pk]), data)
    staff_client.post(reverse("admin:shop_brand_change", args=[brand.pk]), {**data, "description": "Edited"})

    brand.refresh_from_db()
    assert brand.is_published
    assert brand.published_at is not None
    [alert] = AlertItem.objects.all()
    assert alert.source == f"brand:{brand.pk}"
    assert alert.title == "New brand: Maison Verte"
    assert alert.link == "https://shop.example.com/shop/?brand=maison-verte"


def test_new_brand_added_published_is_announced_and_unpublished_one_is_not(staff_client):
    staff_client.post(reverse("admin:shop_brand_add"), {"name": "Draft", "slug": "draft"})
    staff_client.post(reverse("admin:shop_brand_add"), {"name": "Live", "slug": "live", "is_published": "on"})
    assert list(AlertItem.objects.values_list("title", flat=True)) == ["New brand: Live"]
    assert Brand.objects.get(slug="live").is_published


def test_publish_action_announces_styles_once(staff_client):
    style = ProductStyleFactory(name="Ochre", is_published=False)
    url = reverse("admin:shop_productstyle_changelist")
    for _ in range(2):
        staff_client.post(url, {"action": "publish", "_selected_action": [style.pk]})
    [alert] = AlertItem.objects.all()
    assert alert.source == f"style:{style.pk}"
    assert style.product.get_absolute_url() in alert.link
    assert ProductStyle.objects.get().is_published


def test_publish_services_are_idempotent():
    brand = BrandFactory(is_published=False)
    assert services.publish_brand(brand=brand) is True
    assert services.publish_brand(brand=brand) is False
    assert AlertItem.objects.count() == 1
