"""The project's URLs with the campaigns portal mounted where config/urls.py will mount it."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("portal/campaigns/", include("campaigns.urls")), *project_urlpatterns]
