from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField


class ReviewStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("Awaiting the author's email confirmation")
    PENDING = "pending", _("Pending moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", pgettext_lazy("review status", "Rejected")


class Review(models.Model):
    """A shopper's review of a product.

    `email` is private: it lives in this table and the admin, never on a public page. An erased reviewer's
    review keeps its rating and text with an empty email, the name "Former customer" and only the country.

    A guest's review starts UNCONFIRMED: nobody has proven the address yet, so it is neither moderated nor public
    and it replaces nothing. The emailed link (carrying `confirmation_nonce`) makes it PENDING and only then does
    it replace that address's earlier review of the product. Unconfirmed rows are exempt from the one-per-address
    rule, so typing someone's address never touches their review.
    """

    Status = ReviewStatus

    product = models.ForeignKey("shop.Product", on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=5000)
    display_name = models.CharField(_("name shown"), max_length=80)
    email = models.EmailField(max_length=254, blank=True, help_text="Private: shown to staff only.")
    city = models.CharField(max_length=100, blank=True)
    country = CountryField()
    verified_purchase = models.BooleanField(default=False, editable=False)
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_nonce = models.CharField(max_length=32, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The language of the page the review was written on (set by the server): its confirmation email is in it.
    language = models.CharField(_("language"), max_length=16, blank=True, editable=False)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="reviews_rating_1_to_5"),
            models.CheckConstraint(condition=models.Q(status__in=ReviewStatus.values), name="reviews_status_is_known"),
            # One review per product and person; erased reviews (no email) and unconfirmed ones are exempt.
            models.UniqueConstraint(
                "product",
                Lower("email"),
                condition=~models.Q(email="") & ~models.Q(status=ReviewStatus.UNCONFIRMED),
                name="reviews_one_per_product_and_email",
            ),
            # A reviewer's location is required; only erasure coarsens it to the country.
            models.CheckConstraint(
                condition=models.Q(anonymised_at__isnull=False) | (~models.Q(city="") & ~models.Q(email="")),
                name="reviews_city_and_email_unless_anonymised",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReviewStatus.PUBLISHED) | models.Q(published_at__isnull=False),
                name="reviews_published_has_date",
            ),
            # Only a confirmed review reaches moderation or the public pages.
            models.CheckConstraint(
                condition=models.Q(status=ReviewStatus.UNCONFIRMED) | models.Q(confirmed_at__isnull=False),
                name="reviews_moderated_only_once_confirmed",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "status", "-published_at"], name="reviews_product_newest"),
            models.Index(fields=["product", "status", "-rating", "-published_at"], name="reviews_product_best"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.rating}/5)"

    @property
    def location(self) -> str:
        """The public location: "City, Country", or the country alone once erased."""
        return ", ".join(part for part in [self.city, self.country.name] if part)
