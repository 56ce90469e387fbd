from django.apps import AppConfig
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from privacy import registry

        from . import data_rights, signals  # noqa: F401 (signals: allauth's address signals)
        from .app_settings import app_settings

        registry.register_necessary_cookie(
            app_settings.REFUSAL_COOKIE,
            _(
                "Set only when an age under 13 is given: the age check then refuses this browser for a while. It "
                'holds the word "refused", never the date of birth.'
            ),
            hours(app_settings.AGE_REFUSAL_HOURS),
        )
        registry.register_necessary_cookie(
            app_settings.PASS_COOKIE,
            _(
                "Remembers that this browser answered the age check with an accepted age (the age band only, never "
                "the date of birth), so reviews, contests and the contact form don't ask again."
            ),
            days(app_settings.AGE_PASS_DAYS),
        )
        # Minors and accounts whose address is not confirmed are never shared with advertising partners,
        # whatever their cookie or sharing choices.
        registry.register_ad_feed_exclusion(data_rights.minors, reason="under_18")
        registry.register_ad_feed_exclusion(data_rights.unconfirmed_accounts, reason="unconfirmed")
        registry.register_data_section(
            "profile",
            _("Your profile"),
            data_rights.profile_section,
            models=("accounts.User", "accounts.ConfirmedEmail"),
        )
        registry.register_data_section(
            "addresses", _("Your address book"), data_rights.addresses_section, models=("accounts.Address",)
        )
        # Export titles go into the JSON file as plain text (built by a task, in no one's language); they are in the
        # catalogue (gettext_noop) for a page that shows them to translate with gettext.
        registry.register_exporter(
            "profile",
            _("Your profile and age attestation"),
            data_rights.export_profile,
            models=("accounts.User",),
        )
        registry.register_exporter(
            "addresses", _("Your addresses"), data_rights.export_addresses, models=("accounts.Address",)
        )
        registry.register_exporter(
            "email_addresses",
            _("Your email addresses"),
            data_rights.export_email_addresses,
            models=("accounts.ConfirmedEmail",),
        )
        registry.register_person_emails(data_rights.person_emails)
        registry.register_account_finder(data_rights.account_for_email)
        registry.register_eraser(
            "account",
            data_rights.erase_account,
            leftover=data_rights.account_leftover,
            runs_last=True,
            models=("accounts.User", "accounts.Address", "accounts.ConfirmedEmail"),
        )
        registry.register_audit_check(
            "accounts_without_valid_age",
            _("Accounts without an age attestation, or attested under 13"),
            data_rights.accounts_without_valid_age,
        )


def _duration(unit: str, count: int) -> str:
    from django.utils.timesince import TIME_STRINGS  # Django's own "%(num)d hour(s)", translated by Django

    return TIME_STRINGS[unit] % {"num": count}


# A cookie's lifetime on the cookie page, in the reader's language (worked out when the page is shown).
hours = lazy(lambda count: _duration("hour", count), str)
days = lazy(lambda count: _duration("day", count), str)
