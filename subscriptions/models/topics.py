"""Topics people subscribe to, and the alerts waiting for the alerts topic's next edition."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .choices import SENDING_FREQUENCIES, Frequency


class Topic(models.Model):
    """Something a person can subscribe to. Staff edit topics; the three launch topics come from a data migration."""

    slug = models.SlugField(
        max_length=64, unique=True, help_text="Used in links and the consent ledger; never change it."
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("In the default language; translations below."))
    description = models.CharField(_("description"), max_length=300, blank=True)
    allowed_frequencies = models.JSONField(
        default=list, help_text='The frequencies offered, e.g. ["twice_weekly", "weekly", "monthly"].'
    )
    default_frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.WEEKLY)
    is_active = models.BooleanField(default=True, help_text="Inactive topics are hidden and nothing is sent for them.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def with_local_names(cls, queryset):
        """`queryset` with the topics' translations prefetched when the active language isn't the default (one
        query for all of them); in the default language, no query at all."""
        if (translation.get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
            return queryset
        return queryset.prefetch_related("translations")

    def _translation(self) -> TopicTranslation | None:
        """This topic's row for the active language (None: the default language's own fields). Uses the prefetched
        `translations` when there are; otherwise one query per topic and language, remembered on the instance."""
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language == settings.LANGUAGE_CODE or not self.pk:
            return None
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("translations")
        if prefetched is not None:
            return next((row for row in prefetched if row.language == language), None)
        cache = self.__dict__.setdefault("_translations_by_language", {})
        if language not in cache:
            cache[language] = TopicTranslation.objects.filter(topic_id=self.pk, language=language).first()
        return cache[language]

    @property
    def local_name(self) -> str:
        """The name in the active language, else the default language's."""
        row = self._translation()
        return (row.name if row is not None and row.name else "") or self.name

    @property
    def local_description(self) -> str:
        row = self._translation()
        return (row.description if row is not None and row.description else "") or self.description

    def clean(self) -> None:
        allowed = self.allowed_frequencies
        if not isinstance(allowed, list) or not allowed or not set(allowed) <= set(SENDING_FREQUENCIES):
            raise ValidationError({"allowed_frequencies": _("Choose at least one of twice a week, weekly, monthly.")})
        if self.default_frequency not in allowed:
            raise ValidationError({"default_frequency": _("The default must be one of the allowed frequencies.")})

    @property
    def frequency_choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in Frequency.choices if value in self.allowed_frequencies]


class TopicTranslation(models.Model):
    """A topic's name and description in one more language (a topic's own fields are the default language's).
    The language is free text checked against settings.LANGUAGES by the admin form, so these migrations don't
    depend on the host's LANGUAGES."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=16)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("topic translation")
        verbose_name_plural = _("topic translations")
        constraints = [
            models.UniqueConstraint(fields=["topic", "language"], name="subscriptions_topic_translation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} [{self.language}] {self.name}"


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
