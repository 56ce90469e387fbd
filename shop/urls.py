from django.urls import path

from . import views

app_name = "shop"

urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("products/<slug:slug>/", views.product_detail, name="product"),
    path("cart/", views.cart_detail, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/address/", views.checkout_address, name="checkout_address"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("orders/<str:number>/thank-you/", views.order_detail, {"placed": True}, name="order_placed"),
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/", views.contact_thanks, name="contact_thanks"),
    path("contests/", views.contest_list, name="contests"),
    path("contests/<slug:slug>/", views.contest_detail, name="contest"),
    path("contests/<slug:slug>/winners/", views.contest_winners, name="contest_winners"),
]
