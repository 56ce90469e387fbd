from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cookies/", views.cookie_settings, name="cookies"),
    path("ad-sharing/", views.ad_sharing, name="ad_sharing"),
    path("export/", views.export, name="export"),
    path("export/<uuid:public_id>/", views.export_page, name="export_page"),
    path("export/<uuid:public_id>/json/", views.export_json, name="export_json"),
    path("delete/", views.delete_account, name="delete"),
    path("delete/done/", views.deleted, name="deleted"),
    path("request/", views.guest_request, name="guest_request"),
    path("request/sent/", views.guest_request_sent, name="guest_request_sent"),
    path("request/<str:token>/", views.guest_confirm, name="guest_confirm"),
    path("policy/", views.policy, name="policy"),
]
