from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from fund_portal import views

portal_patterns = (
    [
        path("", views.portal_dashboard, name="dashboard"),
        path("units/<str:code>/", views.portal_unit_detail, name="unit_detail"),
        path("units/id/<int:pk>/", views.portal_unit_by_id, name="unit_by_id"),
    ],
    "portal",
)

urlpatterns = [
    path("", include("public.urls")),
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
    path("bank-feed/", include("donations.urls_feed")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]

#: The media folders anyone may read (news images). Children's photos are served only through the
#: scoped view (children:photo) and the sponsor's page; report PDFs only through the reports pages.
PUBLIC_MEDIA_FOLDERS = ("news",)


@login_not_required
def public_media(request, path):
    """A file of a public media folder, in development only (DEBUG). The path is normalised before its
    folder is checked: "news/../children/photos/..." is a child's photo, not news."""
    import posixpath

    from django.http import Http404
    from django.views.static import serve

    clean = posixpath.normpath(path).lstrip("/")
    if clean.split("/", 1)[0] not in PUBLIC_MEDIA_FOLDERS:
        raise Http404
    return serve(request, clean, document_root=settings.MEDIA_ROOT)


if settings.DEBUG and settings.MEDIA_URL.startswith("/"):
    import re

    from django.urls import re_path

    urlpatterns += [re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", public_media)]
