"""Topics people subscribe to, and the alerts waiting for the alerts topic's next edition."""

from django.core.exceptions import ValidationError
from django.db import models

from .choices import SENDING_FREQUENCIES, Frequency


class Topic(models.Model):
    """Something a person can subscribe to. Staff edit topics; the three launch topics come from a data migration."""

    slug = models.SlugField(
        max_length=64, unique=True, help_text="Used in links and the consent ledger; never change it."
    )
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    allowed_frequencies = models.JSONField(
        default=list, help_text='The frequencies offered, e.g. ["twice_weekly", "weekly", "monthly"].'
    )
    default_frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.WEEKLY)
    is_active = models.BooleanField(default=True, help_text="Inactive topics are hidden and nothing is sent for them.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        allowed = self.allowed_frequencies
        if not isinstance(allowed, list) or not allowed or not set(allowed) <= set(SENDING_FREQUENCIES):
            raise ValidationError({"allowed_frequencies": "Choose at least one of twice a week, weekly, monthly."})
        if self.default_frequency not in allowed:
            raise ValidationError({"default_frequency": "The default must be one of the allowed frequencies."})

    @property
    def frequency_choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in Frequency.choices if value in self.allowed_frequencies]


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
