"""Product photos, the home page's shelves and the product page (issue 15, item 7): what a shopper's browser gets."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from shop.models import Product
from tests.factories import ProductFactory, ProductStyleFactory


def photo(width: int, height: int) -> ContentFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 80)).save(out, "JPEG")
    return ContentFile(out.getvalue())


def with_photo(width=1200, height=900, **fields) -> Product:
    product = ProductFactory(**fields)
    product.image.save(f"{product.slug}.jpg", photo(width, height))
    return product


def img_tags(html: str) -> list[str]:
    return re.findall(r"<img [^>]*>", html)


@pytest.mark.django_db
def test_the_product_page_serves_a_responsive_photo_with_a_text_alternative(client):
    product = with_photo(name="Linen shirt", image_alt="Sand linen shirt, front view")
    html = client.get(product.get_absolute_url()).content.decode()
    [tag] = img_tags(html)
    assert 'alt="Sand linen shirt, front view"' in tag
    srcset = re.search(r'srcset="([^"]+)"', tag).group(1)
    assert re.findall(r" (\d+)w", srcset) == ["320", "640", "960"]
    assert 'width="640" height="480"' in tag  # no layout shift while it loads
    assert 'loading="lazy"' not in tag  # the page's main picture loads at once
    for url in re.findall(r"(\S+) \d+w", srcset):
        name = url.removeprefix("/media/")
        with default_storage.open(name) as stored, Image.open(stored) as rendition:
            assert rendition.width in {320, 640, 960}
            assert rendition.format == "JPEG"


@pytest.mark.django_db
def test_a_small_photo_is_never_blown_up(client):
    product = with_photo(400, 300)
    [tag] = img_tags(client.get(product.get_absolute_url()).content.decode())
    assert re.findall(r" (\d+)w", tag) == ["320", "400"]


@pytest.mark.django_db
def test_the_product_list_loads_photos_lazily_and_names_the_product_without_a_description(client):
    with_photo(name="Oxford shirt")
    [tag] = img_tags(client.get(reverse("shop:product_list")).content.decode())
    assert 'loading="lazy"' in tag
    assert 'alt="Oxford shirt"' in tag


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_shows_no_photo_and_no_error(client, caplog):
    """A broken file in storage (a failed upload, a disk error): the page still opens, without the photo."""
    product = ProductFactory()
    default_storage.save("products/broken.jpg", ContentFile(b"not a picture"))
    Product.objects.filter(pk=product.pk).update(image="products/broken.jpg", image_width=1200, image_height=900)
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    assert img_tags(response.content.decode()) == []
    assert "could not be read" in caplog.text


@pytest.mark.django_db
def test_staff_cannot_upload_something_that_is_not_an_image():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.forms import modelform_factory

    form_class = modelform_factory(Product, fields=["image"])
    upload = SimpleUploadedFile("shirt.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    form = form_class(data={}, files={"image": upload}, instance=ProductFactory())
    assert not form.is_valid()
    assert "Upload a valid image" in str(form.errors["image"])


@pytest.mark.django_db
def test_the_home_page_shows_featured_then_new_products_never_unpublished_ones(client):
    featured = with_photo(name="Fisherman cardigan", is_featured=True)
    newest = ProductFactory(name="Market tote")
    hidden = ProductFactory(name="Secret prototype", is_featured=True, is_published=False)
    html = client.get(reverse("home")).content.decode()
    featured_section = html[html.index('id="featured-title"') : html.index('id="new-title"')]
    new_section = html[html.index('id="new-title"') :]
    assert "Fisherman cardigan" in featured_section
    assert "Market tote" in new_section
    assert "Fisherman cardigan" not in new_section  # no product twice
    assert hidden.name not in html
    assert newest.get_absolute_url() in html
    assert featured.get_absolute_url() in html


@pytest.mark.django_db
def test_the_product_page_lists_styles_once_and_keeps_the_review_form_folded(client):
    product = ProductFactory(name="Linen shirt")
    for name in ("Sand", "Sage"):
        ProductStyleFactory(product=product, name=name, is_published=True)
    html = client.get(product.get_absolute_url()).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert main.count(">Sand<") == 1  # in the style picker only
    assert re.search(r'<details class="write-review" id="write-review">\s*<summary><h3>Write a review</h3>', main)
    assert '<details class="write-review" id="write-review" open' not in main


@pytest.mark.django_db
def test_staff_see_the_photo_as_shoppers_will_and_its_description(client):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory())
    bare = ProductFactory(name="No photo yet")
    page = client.get(reverse("admin:shop_product_change", args=[bare.pk])).content.decode()
    assert "No photo yet: upload one above." in page
    product = with_photo(name="Belt", image_alt="Brown leather belt, rolled")
    page = client.get(reverse("admin:shop_product_change", args=[product.pk])).content.decode()
    assert re.search(r'<img src="/media/products/renditions/product-\d+-320w\.jpg" width="320" height="240"', page)
    assert "Described as: “Brown leather belt, rolled”" in page
    assert client.get(reverse("admin:shop_product_add")).status_code == 200
