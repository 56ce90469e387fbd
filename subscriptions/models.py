from django.db import models


class MessageKind(models.TextChoices):
    """What an email is, carried as an anymail tag so webhooks and logs can tell them apart."""

    ACCOUNT = "account", "Account"
    ORDER = "order", "Order"
    SHIPPING = "shipping", "Shipping"
    SUPPORT = "support", "Customer service"
    SERVICE = "service", "Service announcement"
    COMMERCIAL = "commercial", "Commercial"


class AlertItem(models.Model):
    """Something new (a brand, a product style) waiting for the alerts topic's next slot edition."""

    topic_slug = models.SlugField(max_length=64, default="new-brands-and-styles")
    title = models.CharField(max_length=200)
    link = models.URLField(max_length=500)
    image_url = models.URLField(max_length=500, blank=True)
    source = models.CharField(max_length=64, help_text='What it announces, e.g. "brand:12"; queued once.')
    created_at = models.DateTimeField(auto_now_add=True)
    sent_in_edition_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["topic_slug", "source"], name="subscriptions_alert_once")]

    def __str__(self) -> str:
        return self.title
