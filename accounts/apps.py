from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models import Q

        from privacy.registry import register_ad_feed_exclusion

        from .models import AgeBand

        # Minors are never shared with advertising partners, whatever their cookie or sharing choices.
        register_ad_feed_exclusion(lambda: ~Q(age_band=AgeBand.ADULT))
