"""The portal's admin site: Django's, with the list of every model made only when a page shows it.

Django builds `available_apps` (each app and model the user may open, with their URLs and rights)
for every admin page, for the navigation sidebar. The sidebar is cached per user and place
(`templates/admin/nav_sidebar.html`), so the list is made lazily: a page whose sidebar comes from the
cache does not build it (a sixth of a 100-row list page's CPU time)."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.utils.functional import SimpleLazyObject


class FundAdminSite(AdminSite):
    def each_context(self, request):
        """The header names the fund of the page (`request.fund_name`: the member's own fund, set by the
        donations' middleware), else the site's."""
        context = super().each_context(request)
        context["site_header"] = getattr(request, "fund_name", None) or self.site_header
        return context

    def get_app_list(self, request, app_label=None):
        return SimpleLazyObject(lambda: AdminSite.get_app_list(self, request, app_label))


class FundAdminConfig(AdminConfig):
    """`django.contrib.admin` with `FundAdminSite` as `admin.site` (INSTALLED_APPS names this)."""

    default_site = "fund_portal.admin_site.FundAdminSite"
