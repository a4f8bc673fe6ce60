from django.urls import path

from . import views

app_name = "donations"

urlpatterns = [
    path("", views.donate, name="donate"),
    path("<str:reference>/", views.donation_status, name="status"),
]
