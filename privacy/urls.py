from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("cookies/", views.cookie_settings, name="cookies"),
]
