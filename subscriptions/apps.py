from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Email subscriptions"

    def ready(self) -> None:
        from privacy.registry import register_data_section

        from . import selectors, signals

        signals.connect(self)
        register_data_section("emails", "Emails we sent you", selectors.emails_sent_section)
