from django.urls import path

from .views import imports as views_import

urlpatterns = [
    path("import/", views_import.child_import, name="import"),
    path("import/template.xlsx", views_import.child_import_template, name="import_template"),
    path("export/", views_import.child_export, name="export"),
]
