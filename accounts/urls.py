from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("age/", views.age_screen_view, name="age_screen"),
    path("age/check/", views.age_check_view, name="age_check"),
    path("signup/", views.SignupView.as_view(), name="signup"),
    path("profile/", views.profile, name="profile"),
    path("addresses/new/", views.address_edit, name="address_add"),
    path("addresses/<int:pk>/", views.address_edit, name="address_edit"),
    path("addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
]
