"""Orders, their lines, shipments and the order email outbox."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalog import Product, ProductStyle


def default_currency() -> str:
    """A new order is in the shop's currency (SHOP_CURRENCY); it keeps that currency whatever the setting later says."""
    from ..app_settings import app_settings

    return app_settings.CURRENCY


class Carrier(models.TextChoices):
    DHL = "dhl", "DHL"
    UPS = "ups", "UPS"


class Order(models.Model):
    """A placed order. Addresses are snapshots (the address book may change later); payment keeps only a token,
    the card brand and its last four digits: the card number never reaches the shop."""

    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        SHIPPED = "shipped", _("Shipped")

    number = models.CharField(max_length=24, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLACED)
    currency = models.CharField(max_length=3, default=default_currency)
    # The language of the checkout page the order was placed from (one of settings.LANGUAGES, or "" for the default),
    # set by the server (shop.services.place_order), never from the form: the order's emails are written in it.
    language = models.CharField(_("language"), max_length=16, blank=True, editable=False)
    subtotal = models.DecimalField(max_digits=10, decimal_places=2)
    shipping_cost = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    shipping_address = models.JSONField(help_text="Snapshot: full_name, lines, phone.")
    billing_address = models.JSONField(help_text="Snapshot: full_name, lines, phone.")
    carrier = models.CharField(max_length=8, choices=Carrier.choices)
    payment_token = models.CharField(max_length=64)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    payment_authorization = models.CharField(max_length=64)
    checkout_key = models.UUIDField(help_text="One per checkout page: a double-clicked submit places one order.")
    placed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        # Support reads orders without the payment references; the processor's token and authorisation are shown
        # only to staff holding this permission (no staff group has it by default).
        permissions = [("view_payment_reference", "Can see an order's payment token and authorisation")]
        constraints = [
            models.UniqueConstraint(fields=["user", "checkout_key"], name="shop_order_once_per_checkout"),
            models.CheckConstraint(condition=models.Q(subtotal__gte=0), name="shop_order_subtotal_not_negative"),
            models.CheckConstraint(condition=models.Q(shipping_cost__gte=0), name="shop_order_shipping_not_negative"),
            models.CheckConstraint(
                condition=models.Q(total=models.F("subtotal") + models.F("shipping_cost")),
                name="shop_order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=models.Q(card_last4__regex=r"^([0-9]{4})?$"), name="shop_order_last4_is_four_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(payment_token__startswith="tok_"),  # noqa: S106 (a prefix, not a secret)
                name="shop_order_payment_is_a_token",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("shop:order", kwargs={"number": self.number})

    @property
    def shipping_lines(self) -> list[str]:
        return list(self.shipping_address.get("lines", []))

    @property
    def billing_lines(self) -> list[str]:
        return list(self.billing_address.get("lines", []))


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, on_delete=models.SET_NULL, related_name="+")
    style = models.ForeignKey(ProductStyle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product_name = models.CharField(max_length=200)
    style_name = models.CharField(max_length=120, blank=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="shop_line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="shop_line_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(line_total=models.F("unit_price") * models.F("quantity")),
                name="shop_line_total_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(max_length=8, choices=Carrier.choices)
    tracking_number = models.CharField(max_length=40)
    shipped_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-shipped_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "tracking_number"], name="shop_shipment_tracking_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_carrier_display()} {self.tracking_number}"

    @property
    def tracking_url(self) -> str:
        """The carrier's tracking page for this parcel ("" when no page is configured for the carrier)."""
        from urllib.parse import quote

        from ..app_settings import app_settings

        template = app_settings.TRACKING_URLS.get(self.carrier, "")
        return template.replace("{number}", quote(self.tracking_number, safe="")) if template else ""


class OrderEmail(models.Model):
    """The outbox: one row per order email, written with the order (or shipment) and marked when sent."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Order confirmation")
        SHIPPING = "shipping", _("Shipping notice")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="emails")
    shipment = models.OneToOneField(Shipment, null=True, blank=True, on_delete=models.CASCADE, related_name="email")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(kind="confirmation"),
                name="shop_one_confirmation_per_order",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="confirmation", shipment__isnull=True)
                | models.Q(kind="shipping", shipment__isnull=False),
                name="shop_email_kind_matches_shipment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.order_id}"
