from django.urls import path

from . import views

app_name = "money"

urlpatterns = [
    path("", views.portal_money, name="list"),
    path("receive/", views.portal_donation_new, name="receive"),
    path("propose/", views.portal_proposal_new, name="propose"),
    path("donations/<int:pk>/receipt.pdf", views.portal_receipt, name="receipt"),
]
