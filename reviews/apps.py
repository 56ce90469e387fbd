from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from privacy import registry as privacy_registry
        from shop import registry

        from . import data_rights
        from .selectors import annotate_rating_summary
        from .views import product_panel

        registry.register_product_panel(product_panel)
        registry.register_product_list_extension(
            annotate=annotate_rating_summary, template="reviews/product_list_rating.html"
        )
        privacy_registry.register_data_section(
            "reviews", _("Your reviews"), data_rights.reviews_section, models=("reviews.Review",)
        )
        privacy_registry.register_exporter(
            "reviews", _("Your reviews"), data_rights.export_reviews, guest=True, models=("reviews.Review",)
        )
        privacy_registry.register_eraser("reviews", data_rights.erase_reviews, guest=True, models=("reviews.Review",))
        privacy_registry.register_audit_check(
            "reviews_with_contact_details",
            "Published reviews showing an email address or a phone number (review ids)",
            data_rights.published_reviews_with_contact_details,
        )
