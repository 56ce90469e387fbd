from django.db import models


class MessageKind(models.TextChoices):
    """What an email is, carried as an anymail tag so webhooks and logs can tell them apart."""

    ACCOUNT = "account", "Account"
    ORDER = "order", "Order"
    SHIPPING = "shipping", "Shipping"
    SUPPORT = "support", "Customer service"
    SERVICE = "service", "Service announcement"
    COMMERCIAL = "commercial", "Commercial"
