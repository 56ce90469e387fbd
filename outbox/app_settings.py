"""The outbox's settings, with their defaults (OUTBOX_*)."""

from django.conf import settings


class AppSettings:
    @property
    def RELAY_AFTER_SECONDS(self) -> int:
        """An unpublished row younger than this is left to the request that wrote it."""
        return getattr(settings, "OUTBOX_RELAY_AFTER_SECONDS", 30)

    @property
    def KEEP_PUBLISHED_DAYS(self) -> int:
        return getattr(settings, "OUTBOX_KEEP_PUBLISHED_DAYS", 7)


app_settings = AppSettings()
