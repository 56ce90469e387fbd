from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from config import health, metrics

admin.site.site_header = f"{settings.SHOP_NAME} administration"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("anymail/", include("anymail.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("subscriptions.urls")),
    path("privacy/", include("privacy.urls")),
    path("shop/", include("shop.urls")),
    path("reviews/", include("reviews.urls")),
]
if settings.DEMO:
    urlpatterns += [path("demo/", include("demo.urls"))]
