from django.urls import path

from . import views

app_name = "campaigns_portal"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("lists/<int:pk>/", views.gift_list_detail, name="gift_list"),
    path("lists/<int:pk>/sheet/<int:commune_id>/", views.gift_list_sheet, name="gift_list_sheet"),
    path("lists/<int:pk>/xlsx/", views.gift_list_xlsx, name="gift_list_xlsx"),
    path("<slug:slug>/", views.campaign_manage, name="detail"),
]
