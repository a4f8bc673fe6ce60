from django.urls import path

from .views import bank_feed

app_name = "bank_feed"

urlpatterns = [
    path("sepay/", bank_feed.sepay_webhook, name="sepay"),
]
