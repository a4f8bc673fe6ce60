from django.urls import include, path

from .views import care, registry, support

app_name = "children"

urlpatterns = [
    path("", registry.child_list, name="list"),
    path("new/", registry.child_new, name="new"),
    path("priority/", care.priority_list, name="priority"),
    path("support/new/", support.support_new, name="support_commune"),
    path("<int:pk>/", registry.child_detail, name="detail"),
    path("<int:pk>/edit/", registry.child_edit, name="edit"),
    path("<int:pk>/photo/", registry.child_photo, name="photo"),
    path("<int:pk>/groups/", registry.circumstance_add, name="circumstance_add"),
    path("<int:pk>/groups/<int:item_pk>/remove/", registry.circumstance_remove, name="circumstance_remove"),
    path("<int:pk>/needs/", care.needs_assess, name="needs"),
    path("<int:pk>/priority/", care.priority_override, name="priority_override"),
    path("<int:pk>/review/", care.review, name="review"),
    path("<int:pk>/status/", registry.status_change, name="status"),
    path("<int:pk>/consent/", registry.consent, name="consent"),
    path("<int:pk>/support/", support.support_new, name="support_new"),
    path("", include("children.urls_import")),
    path("incidents/", include("children.urls_incidents")),
]
