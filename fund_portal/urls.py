from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from . import views

portal_patterns = (
    [
        path("", views.portal_dashboard, name="dashboard"),
        path("units/<str:code>/", views.portal_unit_detail, name="unit_detail"),
        path("units/id/<int:pk>/", views.portal_unit_by_id, name="unit_by_id"),
    ],
    "portal",
)

urlpatterns = [
    path("", include("fund_portal.public_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("start/", views.home_after_login, name="home_after_login"),
    # The admin logs in through allauth, so two-factor authentication applies there too.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="account_login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("portal/", include(portal_patterns)),
    path("portal/money/", include("donations.urls_portal")),
    path("portal/children/", include("children.urls")),
    path("portal/campaigns/", include("campaigns.urls")),
    path("portal/reports/", include("reports.urls")),
    path("donate/", include("donations.urls")),
    path("sponsor/", include("children.urls_public")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
