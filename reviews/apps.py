from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shop import registry

        from .selectors import annotate_rating_summary
        from .views import product_panel

        registry.register_product_panel(product_panel)
        registry.register_product_list_extension(
            annotate=annotate_rating_summary, template="reviews/product_list_rating.html"
        )
