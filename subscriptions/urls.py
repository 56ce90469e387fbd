from django.urls import path

from . import views

app_name = "subscriptions"

# These URLs go into emails that live for years: never rename or move them.
urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/<str:token>/", views.preferences_token, name="preferences_token"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/sent/", views.subscribe_sent, name="subscribe_sent"),
    path("subscribe/confirm/<str:token>/", views.subscribe_confirm, name="subscribe_confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/email/<str:token>/", views.unsubscribe_email, name="unsubscribe_email"),
]
