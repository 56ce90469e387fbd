from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import (  # noqa: F401 (signals: sign-in -> access log, policy)
            checks,
            data_rights,
            registry,
            selectors,
            signals,
        )
        from .staff_groups import keep_privacy_officer, keep_support

        post_migrate.connect(keep_privacy_officer, sender=self, dispatch_uid="privacy.keep_privacy_officer")
        post_migrate.connect(keep_support, sender=self, dispatch_uid="privacy.keep_support")
        registry.register_data_section(
            "privacy", _("Your privacy choices"), selectors.privacy_choices_section, models=("privacy.PrivacySettings",)
        )
        registry.register_exporter(
            "privacy_settings",
            _("Privacy choices"),
            data_rights.export_privacy_settings,
            models=("privacy.PrivacySettings",),
        )
        registry.register_exporter(
            "consent_history",
            _("Consent history"),
            data_rights.export_consent_history,
            models=("privacy.ConsentEvent",),
        )
        registry.register_exporter(
            "disclosures", _("Who received your data"), data_rights.export_disclosures, models=("privacy.Disclosure",)
        )
        registry.register_exporter(
            "access_logs",
            _("Access log of your account pages"),
            data_rights.export_access_logs,
            models=("privacy.AccessLog",),
        )
        registry.register_exporter(
            "data_requests", _("Your data requests"), data_rights.export_data_requests, models=("privacy.DataRequest",)
        )
        registry.register_eraser(
            "privacy",
            data_rights.erase_privacy_data,
            leftover=data_rights.privacy_leftover,
            guest=True,
            models=("privacy.PrivacySettings", "privacy.AccessLog", "privacy.DataExport"),
        )
        registry.register_audit_check(
            "access_logs_past_retention",
            _("Access log rows older than the retention period"),
            data_rights.access_logs_past_retention,
        )
        registry.register_audit_check(
            "disclosures_without_purpose",
            _("Disclosures without a purpose or data categories"),
            data_rights.disclosures_without_purpose,
        )
        registry.register_audit_check(
            "erased_addresses_in_clear",
            _("An erased person's address found in clear in a table (table.column#id)"),
            data_rights.erased_addresses_in_clear,
        )
        registry.register_audit_check(
            "erased_people_with_clear_data",
            _("Erased people whose data is still held in clear (account ids)"),
            data_rights.erased_people_with_clear_data,
        )
