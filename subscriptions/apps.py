from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Email subscriptions"

    def ready(self) -> None:
        from privacy import registry

        from . import (  # noqa: F401 (signals: connects its receivers)
            checks,
            data_rights,
            selectors,
            signals,
            wording,
        )
        from .services import send_transactional

        registry.register_data_section(
            "subscriptions",
            _("Your email subscriptions"),
            data_rights.subscriptions_section,
            models=("subscriptions.Subscriber",),
        )
        registry.register_data_section(
            "emails",
            _("Emails we sent you"),
            selectors.emails_sent_section,
            models=("subscriptions.AnnouncementDelivery",),
        )
        registry.register_consent_words("topic", wording.topic_words)
        registry.register_consent_words("marketing", wording.marketing_words)
        registry.register_consent_words("email", wording.email_words)
        registry.register_transactional_sender(send_transactional)
        registry.register_erased_address_matcher(data_rights.erased_addresses)
        registry.register_exporter(
            "subscriptions",
            _("Your email subscriptions"),
            data_rights.export_subscriptions,
            guest=True,
            models=("subscriptions.Subscriber",),
        )
        registry.register_exporter(
            "deliveries", _("Newsletters sent to you"), data_rights.export_deliveries, guest=True
        )
        registry.register_exporter(
            "emails_sent", _("Other emails we sent you"), data_rights.export_emails_sent, guest=True
        )
        registry.register_exporter(
            "service_announcements",
            _("Service announcements sent to you"),
            data_rights.export_announcements,
            models=("subscriptions.AnnouncementDelivery",),
        )
        registry.register_eraser(
            "subscriptions",
            data_rights.erase_subscriber,
            leftover=data_rights.subscriber_leftover,
            guest=True,
            models=("subscriptions.Subscriber",),
        )
        registry.register_audit_check(
            "deliveries_to_ineligible",
            "Commercial emails sent to someone not eligible when sent (delivery ids)",
            data_rights.deliveries_to_ineligible,
        )
        registry.register_audit_check(
            "emails_over_weekly_cap",
            "Marketing emails over the weekly cap: people sent more than SUBSCRIPTIONS_WEEKLY_CAP in one week "
            "(subscriber ids)",
            data_rights.emails_over_weekly_cap,
        )
        registry.register_audit_check(
            "subscription_state_vs_ledger",
            "Subscriptions whose state disagrees with the last consent event (subscription ids)",
            data_rights.state_disagrees_with_ledger,
        )
