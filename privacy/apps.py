from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from . import registry, selectors, signals  # noqa: F401 (signals: allauth sign-in/signup -> access log)

        registry.register_data_section("privacy", "Your privacy choices", selectors.privacy_choices_section)
