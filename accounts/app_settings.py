"""Accounts settings, each with its default in one place (read as `app_settings.NAME`)."""

from django.conf import settings


class AppSettings:
    @property
    def AGE_REFUSAL_HOURS(self) -> int:
        """How long the age screen keeps refusing a browser that answered "under 13"."""
        return getattr(settings, "ACCOUNTS_AGE_REFUSAL_HOURS", 24)

    @property
    def ATTESTATION_VERSION(self) -> str:
        """The version of the age attestation text a new account agrees to."""
        return getattr(settings, "ACCOUNTS_ATTESTATION_VERSION", "2026-11")

    @property
    def AGE_PASS_DAYS(self) -> int:
        """How long a browser that answered the age screen with an accepted age isn't asked again (guest forms)."""
        return getattr(settings, "ACCOUNTS_AGE_PASS_DAYS", 365)

    MINIMUM_AGE = 13
    ADULT_AGE = 18
    REFUSAL_COOKIE = "age_screen"
    PASS_COOKIE = "age_screen_passed"  # noqa: S105 (a cookie name)
    SESSION_KEY = "signup_age_band"


app_settings = AppSettings()
