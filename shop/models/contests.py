"""Contests and their entries."""

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Contest(models.Model):
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    description = models.TextField(blank=True)
    prize = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    winners_count = models.PositiveSmallIntegerField(default=1)
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="shop_contest_dates"),
            models.CheckConstraint(condition=models.Q(winners_count__gte=1), name="shop_contest_has_a_winner"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("shop:contest", kwargs={"slug": self.slug})

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at


class ContestEntry(models.Model):
    """An entry. It subscribes to nothing; the email is used only to tell a winner."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    first_name = models.CharField(_("first name"), max_length=60)
    city = models.CharField(_("city"), max_length=80)
    email = models.EmailField(_("email"), max_length=254)
    list_publicly = models.BooleanField(_("list me publicly if I win"), default=False)
    is_winner = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the winner's email went out (winners only)."
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("contest entry")
        verbose_name_plural = _("contest entries")
        constraints = [
            models.UniqueConstraint("contest", Lower("email"), name="shop_one_entry_per_email"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} ({self.city})"
