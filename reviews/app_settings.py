"""Reviews settings, each with its default in one place (read as `app_settings.NAME`)."""

from django.conf import settings


class AppSettings:
    @property
    def PAGE_SIZE(self) -> int:
        """Published reviews shown per page on the product page."""
        return getattr(settings, "REVIEWS_PAGE_SIZE", 20)

    @property
    def RATE_LIMIT_PER_IP(self) -> int:
        """Review submissions accepted from one IP address per window."""
        return getattr(settings, "REVIEWS_RATE_LIMIT_PER_IP", 10)

    @property
    def RATE_LIMIT_PER_EMAIL(self) -> int:
        """Review submissions accepted for one email address per window."""
        return getattr(settings, "REVIEWS_RATE_LIMIT_PER_EMAIL", 3)

    @property
    def ATTEMPT_LIMIT_PER_IP(self) -> int:
        """Posts of the review form (valid or not) from one IP address per window, counted before any check."""
        return getattr(settings, "REVIEWS_ATTEMPT_LIMIT_PER_IP", 30)

    @property
    def RATE_LIMIT_WINDOW_SECONDS(self) -> int:
        return getattr(settings, "REVIEWS_RATE_LIMIT_WINDOW_SECONDS", 3600)

    @property
    def UNCONFIRMED_DAYS(self) -> int:
        """Days an unconfirmed review is kept before the nightly purge deletes it (the email and the admin say 30)."""
        return getattr(settings, "REVIEWS_UNCONFIRMED_DAYS", 30)

    @property
    def CONFIRMATION_MAX_AGE_HOURS(self) -> int:
        """How long the emailed link confirming a guest's review works."""
        return getattr(settings, "REVIEWS_CONFIRMATION_MAX_AGE_HOURS", 72)

    ANONYMISED_NAME = "Former customer"
    MASK = "[removed]"


app_settings = AppSettings()
