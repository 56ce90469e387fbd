from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class ShopConfig(AppConfig):
    name = "shop"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from privacy import registry
        from privacy.staff_groups import SUPPORT_GROUP, group_keeper

        from . import checks, data_rights, selectors  # noqa: F401 (checks: registers the system check)
        from .staff_groups import SUPPORT

        self.keep_support = group_keeper(SUPPORT_GROUP, SUPPORT)  # a strong reference: the signal keeps weak ones
        post_migrate.connect(self.keep_support, sender=self, dispatch_uid="shop.keep_support")
        registry.register_data_section(
            "orders", _("Your orders"), selectors.orders_data_section, models=("shop.Order",)
        )
        registry.register_data_section(
            "support",
            _("Your messages to customer service"),
            selectors.support_data_section,
            models=("shop.SupportTicket", "shop.SupportReply"),
        )
        registry.register_data_section(
            "contests", _("Your contest entries"), data_rights.contest_entries_section, models=("shop.ContestEntry",)
        )
        registry.register_reference_words("order", selectors.order_reference_words)
        registry.register_ad_feed_column(
            "purchase_categories", gettext_noop("purchase categories (coarse)"), selectors.purchase_categories
        )
        registry.register_exporter("orders", _("Your orders"), data_rights.export_orders, models=("shop.Order",))
        registry.register_exporter(
            "support_tickets",
            _("Your messages to customer service"),
            data_rights.export_tickets,
            guest=True,
            models=("shop.SupportTicket", "shop.SupportReply"),
        )
        registry.register_exporter(
            "contest_entries",
            _("Your contest entries"),
            data_rights.export_contest_entries,
            guest=True,
            models=("shop.ContestEntry",),
        )
        registry.register_eraser(
            "shop",
            data_rights.erase_shop_data,
            leftover=data_rights.shop_leftover,
            guest=True,
            models=("shop.Order", "shop.SupportTicket", "shop.SupportReply", "shop.ContestEntry"),
        )
