"""Brands, categories, products (with their photos) and product styles."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Brand(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))])
    image = models.ImageField(upload_to="products/", blank=True, width_field="image_width", height_field="image_height")
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        "image description",
        max_length=200,
        blank=True,
        help_text='What the photo shows, for people who can\'t see it ("Sand linen shirt, front view"). '
        "Empty: the product's name.",
    )
    is_featured = models.BooleanField(default=False, help_text='Shown on the home page under "Featured".')
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=models.Q(price__gte=0), name="shop_product_price_not_negative")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shop:product", kwargs={"slug": self.slug})


class ProductDescription(models.Model):
    """A product's description in another language than the catalogue's own (merchant data, written by staff).
    Pages show the reader's language when there is one, else `Product.description`; the name stays as it is."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="descriptions")
    language = models.CharField(_("language"), max_length=16, choices=settings.LANGUAGES)
    description = models.TextField(_("description"))

    class Meta:
        verbose_name = _("description in another language")
        verbose_name_plural = _("descriptions in other languages")
        ordering = ["product", "language"]
        constraints = [
            models.UniqueConstraint(fields=["product", "language"], name="shop_one_description_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.product.name} ({self.language})"


class ProductStyle(models.Model):
    """A variant of a product: a colour, a size or a style name."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="styles")
    name = models.CharField(max_length=120)
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("style")
        verbose_name_plural = _("styles")
        ordering = ["product", "name"]
        constraints = [models.UniqueConstraint(fields=["product", "name"], name="shop_style_unique_per_product")]

    def __str__(self) -> str:
        return f"{self.product.name}: {self.name}"
