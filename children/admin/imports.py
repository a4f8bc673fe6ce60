"""The admin's import and export of children. Mixed into `ChildAdmin`.

The import is `children.imports.children.children_import` (check first, then all rows or none); the
export is an admin action that asks for the reason on an intermediate page and writes one access
log row with the children's ids (`children.imports.child_export.children_export`).
"""

from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext_lazy as _

from fund_portal.admin import admin_page
from fund_portal.authority import Action, action_required

from ..forms.imports import ExportReasonForm
from ..imports.children import may_import
from ..views.imports import child_export_download, child_import_page, child_import_template_download


class ChildImportExportAdminMixin:
    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        """The export action beside whatever actions the admin class and other mixins declare."""
        actions = super().get_actions(request, action_location=action_location)
        if action_location == ActionLocation.CHANGE_LIST and actions is not None:
            action = self.get_action("export_selected", action_location)
            if action is not None:
                for allowed in self._filter_actions_by_permissions(request, [action]):
                    actions.setdefault(allowed.name, allowed)
        return actions

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="children_child_import"),
            path(
                "import/template.xlsx", view(self.import_template_view), name="children_child_import_template"
            ),
            *super().get_urls(),
        ]

    @action_required(Action.CHILD_IMPORT)
    def import_view(self, request):
        """The commune's list from a spreadsheet: a check first (dry run, preview), then all or nothing."""
        if not (self.has_add_permission(request) and may_import(request.user)):
            raise PermissionDenied
        return child_import_page(
            request,
            done="admin:children_child_changelist",
            show=lambda context: admin_page(self, request, "admin/children/child/import.html", context),
        )

    @action_required(Action.CHILD_IMPORT)
    def import_template_view(self, request):
        return child_import_template_download(request)

    @admin.action(permissions=[Action.CHILD_EXPORT], description=_("Export the selected children to Excel"))
    def export_selected(self, request, queryset):
        """Ask for the reason first; then one XLSX of the template's columns and one access log row."""
        form = ExportReasonForm(request.POST if "reason" in request.POST else None)
        response = child_export_download(request, form=form, children=lambda: queryset)
        if response is not None:
            return response
        context = {
            "form": form,
            "ids": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "count": queryset.count(),
            "title": _("Export the selected children to Excel"),
        }
        return admin_page(self, request, "admin/children/child/export.html", context)
