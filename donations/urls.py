from django.urls import path

from .views import donate, my_donations

app_name = "donations"

urlpatterns = [
    path("", donate.donate, name="donate"),
    path("mine/", my_donations.my_donations, name="mine"),
    path("mine/<int:pk>/receipt.pdf", my_donations.my_receipt, name="my_receipt"),
    path("<str:reference>/", donate.donation_status, name="status"),
    path("<str:reference>/vietqr.png", donate.donation_qr_png, name="qr_png"),
    path("<str:reference>/status.json", donate.donation_status_json, name="status_json"),
    path("<str:reference>/receipt.pdf", donate.donation_receipt, name="receipt"),
]
