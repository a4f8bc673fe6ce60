from django.urls import path

from .views import money

app_name = "money"

urlpatterns = [
    path("", money.portal_money, name="list"),
    path("receive/", money.portal_donation_new, name="receive"),
    path("propose/", money.portal_proposal_new, name="propose"),
    path("donations/<int:pk>/receipt.pdf", money.portal_receipt, name="receipt"),
]
