from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cookies/", views.cookie_settings, name="cookies"),
    path("ad-sharing/", views.ad_sharing, name="ad_sharing"),
]
