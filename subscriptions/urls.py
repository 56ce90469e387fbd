from django.urls import path

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("demo/mailbox/", views.demo_mailbox, name="mailbox"),
    path("demo/mailbox/<str:name>/", views.demo_mailbox_message, name="mailbox_message"),
]
