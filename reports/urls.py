from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("build/", views.report_build_view, name="build"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/narrative/", views.report_narrative_view, name="narrative"),
    path("<int:pk>/submit/", views.report_submit_view, name="submit"),
    path("<int:pk>/pdf/", views.report_pdf_view, name="pdf"),
    path("<int:pk>/xlsx/", views.report_xlsx_view, name="xlsx"),
]
