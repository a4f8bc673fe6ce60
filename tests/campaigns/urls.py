"""The project's URLs with the campaigns portal mounted where fund_portal/urls.py will mount it."""

from django.urls import include, path

from fund_portal.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("portal/campaigns/", include("campaigns.urls")), *project_urlpatterns]
