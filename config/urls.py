from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from config import health, metrics
from shop import views as shop_views

admin.site.site_header = f"{settings.SHOP_NAME} administration"

urlpatterns = [
    path("", shop_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("language/", account_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("anymail/", include("subscriptions.webhooks")),  # ESP webhooks: 404 unless authenticated (see there)
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("subscriptions.urls")),
    path("privacy/", include("privacy.urls")),
    path("shop/", include("shop.urls")),
    path("reviews/", include("reviews.urls")),
]
if settings.DEMO:
    urlpatterns += [path("demo/", include("demo.urls"))]
if settings.DEBUG:  # product photos in the demo; in production the web server serves MEDIA_ROOT (docs/deploy.md)
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
