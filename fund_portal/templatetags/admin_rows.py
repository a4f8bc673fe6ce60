"""`{% lean_result_list cl %}`: Django's `{% result_list cl %}` with the rows made by
`fund_portal.admin_rows` (the same HTML, less work per cell). Used by `templates/admin/change_list.html`."""

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.base import InclusionAdminNode

from fund_portal import admin_rows

register = template.Library()


def lean_result_list(cl):
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(admin_list.result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": admin_rows.results(cl),
    }


@register.tag(name="lean_result_list")
def lean_result_list_tag(parser, token):
    return InclusionAdminNode(
        "lean_result_list",
        parser,
        token,
        func=lean_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )


@register.simple_tag(takes_context=True)
def admin_place(context) -> str:
    """Where an admin page is, as far as the navigation sidebar can tell: the path up to its model
    (`/admin/children/child/`), the part the sidebar compares to mark the current app and model."""
    request = context.get("request")
    path = request.path if request is not None else ""
    return "/".join(path.split("/")[:4])
