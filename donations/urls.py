from django.urls import path

from . import views

app_name = "donations"

urlpatterns = [
    path("", views.donate, name="donate"),
    path("mine/", views.my_donations, name="mine"),
    path("mine/<int:pk>/receipt.pdf", views.my_receipt, name="my_receipt"),
    path("<str:reference>/", views.donation_status, name="status"),
    path("<str:reference>/receipt.pdf", views.donation_receipt, name="receipt"),
]
