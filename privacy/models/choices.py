"""An account's privacy choices: cookies, Global Privacy Control, ad sharing."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PrivacySettings(models.Model):
    """One account's current privacy choices; every change to them also appends ConsentEvents."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_settings", verbose_name=_("user")
    )
    cookies_chosen_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the shopper last answered the cookie banner (empty: never)."),
        verbose_name=_("cookie choice made"),
    )
    preferences_cookies = models.BooleanField(default=False, verbose_name=_("preferences cookies"))
    analytics_cookies = models.BooleanField(default=False, verbose_name=_("analytics cookies"))
    advertising_cookies = models.BooleanField(default=False, verbose_name=_("advertising cookies"))
    ad_sharing_opted_out = models.BooleanField(
        default=False,
        help_text=_('"Don\'t share my data for tailored advertising" was chosen explicitly.'),
        verbose_name=_("ad sharing refused"),
    )
    ad_sharing_agreed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the shopper said yes to sharing with the ad partner (empty: no, the default)."),
        verbose_name=_("ad sharing agreed"),
    )
    gpc_recorded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("First time a Global Privacy Control signal arrived from this account: a standing opt-out."),
        verbose_name=_("Global Privacy Control signal received"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cookies_chosen_at__isnull=False)
                | models.Q(preferences_cookies=False, analytics_cookies=False, advertising_cookies=False),
                name="privacy_settings_no_cookie_consent_without_a_choice",
            ),
            models.CheckConstraint(
                condition=~models.Q(ad_sharing_opted_out=True, ad_sharing_agreed_at__isnull=False),
                name="privacy_settings_ad_sharing_yes_or_no",
            ),
        ]

    def __str__(self) -> str:
        return f"Privacy settings of user {self.user_id}"
