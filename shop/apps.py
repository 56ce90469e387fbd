from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"

    def ready(self) -> None:
        from privacy.registry import register_ad_feed_column, register_data_section

        from . import selectors

        register_data_section("orders", "Your orders", selectors.orders_data_section)
        register_data_section("support", "Your messages to customer service", selectors.support_data_section)
        register_ad_feed_column("purchase_categories", "purchase categories (coarse)", selectors.purchase_categories)
