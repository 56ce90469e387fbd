from django.urls import path

from . import views

app_name = "demo"

urlpatterns = [
    path("mailbox/", views.mailbox_list, name="mailbox"),
    path("mailbox/<str:name>/", views.mailbox_message, name="mailbox_message"),
]
