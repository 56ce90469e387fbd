"""config/urls.py as it is with DEMO=1 (the URLconf is read once per process, so tests in demo mode point here)."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("demo/", include("demo.urls"))]
