"""The privacy policy's versions."""

from django.db import models


class PolicyVersion(models.Model):
    """One published version of the privacy policy; every ConsentEvent names the version in force."""

    version = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200, default="Privacy policy")
    body = models.TextField(help_text="The policy text as published (Markdown-free plain text or simple HTML).")
    effective_at = models.DateTimeField()
    is_material = models.BooleanField(
        default=False, help_text="A material change: logged-in shoppers are asked to review it."
    )

    class Meta:
        ordering = ["-effective_at"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"
