from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("products/<slug:slug>/write/", views.write_review, name="write"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
]
