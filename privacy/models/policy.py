"""The privacy policy's versions, and each version's text in the other languages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

DEFAULT_TITLE = "Privacy policy"


class PolicyVersion(models.Model):
    """One published version of the privacy policy; every ConsentEvent names the version in force.

    `title` and `body` are the text in the default language (settings.LANGUAGE_CODE); each other language's text is a
    PolicyText row (`texts`). A page shows the reader's language's text when there is one, else this one."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200, default=DEFAULT_TITLE)
    body = models.TextField(
        _("body"), help_text=_("The policy text as published (Markdown-free plain text or simple HTML).")
    )
    effective_at = models.DateTimeField(_("in force from"))
    is_material = models.BooleanField(
        _("material change"),
        default=False,
        help_text=_("A material change: logged-in shoppers are asked to review it."),
    )

    class Meta:
        ordering = ["-effective_at"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def text_in(self, language: str | None = None) -> PolicyTextShown:
        """The text a reader of `language` (default: the active language) is shown: that language's PolicyText when
        there is one, else the default language's. Reads `texts` once (prefetch_related("texts") avoids a query)."""
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        if language != settings.LANGUAGE_CODE:
            for text in self.texts.all():
                if text.language == language:
                    return PolicyTextShown(text.title or self.title, text.body, language, fallback=False)
        fallback = language != settings.LANGUAGE_CODE
        title = self.title
        if title == DEFAULT_TITLE:  # the generic title nobody wrote: it has the reader's words
            title = str(_(DEFAULT_TITLE))
        return PolicyTextShown(title, self.body, settings.LANGUAGE_CODE, fallback=fallback)


class PolicyTextShown:
    """What a page shows of one version: title, body, the language they are in, and whether it is the default
    language's text standing in for the reader's."""

    def __init__(self, title: str, body: str, language: str, *, fallback: bool) -> None:
        self.title, self.body, self.language, self.fallback = title, body, language, fallback


class PolicyText(models.Model):
    """One version's text in one language other than the default. (A child table rather than a column per
    language: the reusable app's migrations must not depend on the host's LANGUAGES.)"""

    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.CASCADE, related_name="texts", verbose_name=_("policy version")
    )
    language = models.CharField(_("language"), max_length=16, help_text=_("A code from settings.LANGUAGES, e.g. fr."))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))

    class Meta:
        ordering = ["policy_version", "language"]
        verbose_name = _("policy text")
        verbose_name_plural = _("policy texts")
        constraints = [
            models.UniqueConstraint(fields=["policy_version", "language"], name="privacy_policy_text_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.policy_version} ({self.language})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.language not in dict(settings.LANGUAGES) or self.language == settings.LANGUAGE_CODE:
            raise ValidationError(
                {"language": _("Choose one of the site's other languages (the version itself holds the default one).")}
            )
