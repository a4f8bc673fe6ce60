from django.urls import path

from .views import incidents as views

urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("new/", views.incident_new, name="incident_new"),
    path("recorded/", views.incident_recorded, name="incident_recorded"),
    path("<int:pk>/", views.incident_detail, name="incident_detail"),
    path("<int:pk>/intervene/", views.incident_intervene, name="incident_intervene"),
    path("<int:pk>/close/", views.incident_close, name="incident_close"),
]
