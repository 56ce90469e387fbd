import copy

import pytest
from django.urls import reverse

from shop import registry
from tests.factories import CategoryFactory, ProductFactory, ProductStyleFactory

pytestmark = pytest.mark.django_db


def test_product_list_shows_published_products_with_price_and_published_styles(client):
    product = ProductFactory(name="Linen shirt", price="49.50")
    ProductStyleFactory(product=product, name="Sand")
    ProductStyleFactory(product=product, name="Secret draft", is_published=False)
    ProductFactory(name="Hidden jacket", is_published=False)

    html = client.get(reverse("shop:product_list")).content.decode()

    assert "Linen shirt" in html
    assert "€49.50" in html
    assert "Sand" in html
    assert "Secret draft" not in html
    assert "Hidden jacket" not in html


def test_product_list_filters_by_category_and_ignores_unknown_category(client):
    shirts = CategoryFactory(name="Shirts")
    ProductFactory(name="Linen shirt", category=shirts)
    ProductFactory(name="Wool hat")

    html = client.get(reverse("shop:product_list"), {"category": shirts.slug}).content.decode()
    assert "Linen shirt" in html
    assert "Wool hat" not in html

    response = client.get(reverse("shop:product_list"), {"category": "no-such-thing", "page": "banana"})
    assert response.status_code == 200
    assert "Wool hat" in response.content.decode()


def test_product_list_query_count_does_not_grow_with_products(client, django_assert_max_num_queries):
    for _ in range(20):
        ProductStyleFactory(product=ProductFactory())
    # session-free anonymous page: count products, products page, styles prefetch, categories
    with django_assert_max_num_queries(4):
        response = client.get(reverse("shop:product_list"))
    assert response.content.decode().count('class="product-card"') == 20


def test_product_detail_shows_breadcrumbs_price_and_styles(client):
    product = ProductFactory(name="Linen shirt", price="49.50")
    ProductStyleFactory(product=product, name="Sand")

    html = client.get(product.get_absolute_url()).content.decode()

    assert 'aria-label="Breadcrumb"' in html
    assert product.category.name in html
    assert "€49.50" in html
    assert "Sand" in html


def test_unpublished_or_unknown_product_is_404(client):
    hidden = ProductFactory(is_published=False)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(reverse("shop:product", kwargs={"slug": "nope"})).status_code == 404


@pytest.fixture
def extensions(monkeypatch):
    monkeypatch.setattr(registry, "_product_panels", [])
    monkeypatch.setattr(registry, "_list_extensions", [])


def test_registered_panels_and_list_extensions_are_rendered(client, extensions, tmp_path, settings):
    (tmp_path / "panel.html").write_text("<section>Panel for {{ product.name }} {{ extra }}</section>")
    (tmp_path / "beside.html").write_text("<span>Beside {{ product.marker }}</span>")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    from django.db.models import Value

    registry.register_product_panel(lambda request, product: ("panel.html", {"extra": "EXTRA"}))
    registry.register_product_list_extension(
        annotate=lambda qs: qs.annotate(marker=Value("MARK")), template="beside.html"
    )
    product = ProductFactory(name="Linen shirt")

    assert "Panel for Linen shirt EXTRA" in client.get(product.get_absolute_url()).content.decode()
    assert "Beside MARK" in client.get(reverse("shop:product_list")).content.decode()
