from django.urls import path

from .views import care, imports, incidents, registry, support, transfers

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
    path("<int:pk>/transfer/", transfers.transfer_new, name="transfer_new"),
    path("transfers/", transfers.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/accept/", transfers.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/refuse/", transfers.transfer_refuse, name="transfer_refuse"),
    path("transfers/<int:pk>/cancel/", transfers.transfer_cancel, name="transfer_cancel"),
    path("import/", imports.child_import, name="import"),
    path("import/template.xlsx", imports.child_import_template, name="import_template"),
    path("export/", imports.child_export, name="export"),
    path("incidents/", incidents.incident_list, name="incident_list"),
    path("incidents/new/", incidents.incident_new, name="incident_new"),
    path("incidents/recorded/", incidents.incident_recorded, name="incident_recorded"),
    path("incidents/<int:pk>/", incidents.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/intervene/", incidents.incident_intervene, name="incident_intervene"),
    path("incidents/<int:pk>/close/", incidents.incident_close, name="incident_close"),
]
