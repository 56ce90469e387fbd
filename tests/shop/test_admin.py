import pytest
from django.urls import reverse

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["brand", "category", "product", "productstyle", "order", "supportticket", "contest"])
def test_shop_admin_pages_load(client, model):
    client.force_login(StaffFactory())
    assert client.get(reverse(f"admin:shop_{model}_changelist")).status_code == 200
    if model not in {"order", "supportticket"}:
        assert client.get(reverse(f"admin:shop_{model}_add")).status_code == 200


def test_order_admin_changelist_query_count_is_pinned(client, shopper_client, product, django_assert_max_num_queries):
    from .conftest import add_to_cart, checkout_data

    for _ in range(5):
        add_to_cart(shopper_client, product)
        shopper_client.post(reverse("shop:checkout"), checkout_data(shopper_client))
    client.force_login(StaffFactory())
    with django_assert_max_num_queries(10):
        response = client.get(reverse("admin:shop_order_changelist"))
    assert response.content.decode().count("SPC-") >= 5
