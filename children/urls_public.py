from django.urls import path

from . import views_public

app_name = "sponsorship"

urlpatterns = [
    path("<uuid:token>/", views_public.sponsorship_progress, name="progress"),
    path("<uuid:token>/photo/", views_public.sponsorship_photo, name="photo"),
]
