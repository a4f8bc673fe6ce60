"""The officers' pages to import the commune's list of children and to export it (with a reason, logged).

The admin's import and export (`children.admin.imports`) are thin entry points over the same bodies:
`child_import_page`, `child_import_template_download` and `child_export_download`.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fund_portal.authority import Action
from fund_portal.exports import xlsx_download
from fund_portal.forms import sheet_upload_run
from fund_portal.views import portal_action

from ..forms.imports import ChildImportForm, ExportReasonForm
from ..imports.child_export import children_export, children_template
from ..imports.children import children_import, may_import
from .registry import filtered_children


def import_result_message(result) -> str:
    return _("Imported %(rows)s children: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def child_import_page(request, *, done: str, show: Callable):
    """The import's work for the portal and the admin: the upload form, a check first (every bad row
    listed), then all rows or none; a written import redirects to `done`, else `show(context)`."""
    form = ChildImportForm(request.POST or None, request.FILES or None)
    result = sheet_upload_run(request, form, children_import)
    if result is not None and result.ok and result.written:
        messages.success(request, import_result_message(result))
        return redirect(done)
    return show({"form": form, "result": result, "title": _("Import the list of children")})


def child_import_template_download(request):
    return xlsx_download(children_template(by=request.user), "mau-danh-sach-tre-em.xlsx")


def child_export_download(request, *, form: ExportReasonForm, children: Callable):
    """The export's work for the portal and the admin: with a valid reason, the XLSX of `children()`
    and one access-log row; else None, and the caller shows the form (with a refusal on its reason)."""
    if form.is_bound and form.is_valid():
        try:
            data = children_export(children=children(), user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error.message_dict.get("reason", error.messages))
        else:
            return xlsx_download(data, "danh-sach-tre-em.xlsx")
    return None


@portal_action(Action.CHILD_IMPORT)
def child_import(request):
    """Upload the commune's list: a check first (every bad row listed), then all rows or none."""
    if not may_import(request.user):
        raise PermissionDenied
    return child_import_page(
        request, done="children:list", show=lambda context: render(request, "children/import.html", context)
    )


@portal_action(Action.CHILD_IMPORT)
@require_GET
def child_import_template(request):
    return child_import_template_download(request)


@portal_action(Action.CHILD_EXPORT)
def child_export(request):
    """The list with the current search and filters, all matching children, after the reason is given."""
    data = request.POST if request.method == "POST" else None
    form = ExportReasonForm(
        data, initial={"q": request.GET.get("q", ""), "group": request.GET.get("group", "")}
    )
    response = child_export_download(request, form=form, children=lambda: filtered_children(request)[1])
    if response is not None:
        return response
    return render(request, "children/export.html", {"form": form, "title": _("Export the list of children")})
