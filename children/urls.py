from django.urls import include, path

from . import views

app_name = "children"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("new/", views.child_new, name="new"),
    path("priority/", views.priority_list, name="priority"),
    path("support/new/", views.support_new, name="support_commune"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/photo/", views.child_photo, name="photo"),
    path("<int:pk>/groups/", views.circumstance_add, name="circumstance_add"),
    path("<int:pk>/groups/<int:item_pk>/remove/", views.circumstance_remove, name="circumstance_remove"),
    path("<int:pk>/needs/", views.needs_assess, name="needs"),
    path("<int:pk>/priority/", views.priority_override, name="priority_override"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/status/", views.status_change, name="status"),
    path("<int:pk>/consent/", views.consent, name="consent"),
    path("<int:pk>/support/", views.support_new, name="support_new"),
    path("", include("children.urls_import")),
    path("incidents/", include("children.urls_incidents")),
]
