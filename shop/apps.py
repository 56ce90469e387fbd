from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"

    def ready(self) -> None:
        from privacy.registry import register_data_section

        from . import selectors

        register_data_section("orders", "Your orders", selectors.orders_data_section)
        register_data_section("support", "Your messages to customer service", selectors.support_data_section)
