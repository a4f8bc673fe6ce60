from django.urls import include, path

from . import views

app_name = "children"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("new/", views.child_new, name="new"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("", include("children.urls_import")),
    path("incidents/", include("children.urls_incidents")),
]
