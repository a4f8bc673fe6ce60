"""The officers' pages of the children registry: scoped, logged, sensitive data kept on the server."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fund_portal.views import portal_view, scoped_get_object_or_404

from . import selectors, services
from .forms import ChildForm
from .models import AccessAction, Child


@portal_view
def child_list(request):
    query, group = request.GET.get("q", ""), request.GET.get("group", "")
    children = selectors.children_list(user=request.user, query=query, group=group)
    rows, next_cursor = selectors.children_page(children=children, after=request.GET.get("after", ""))
    return render(
        request,
        "children/child_list.html",
        {
            "children": rows,
            "next_cursor": next_cursor,
            "q": query,
            "group": group,
            "groups": selectors.group_choices(user=request.user),
            "first_page": not request.GET.get("after"),
        },
    )


@portal_view
def child_detail(request, pk):
    child = scoped_get_object_or_404(Child.objects.select_related("commune", "village"), request.user, pk=pk)
    sensitive = selectors.can_see_sensitive(request.user)
    services.access_log(
        user=request.user, action=AccessAction.SENSITIVE if sensitive else AccessAction.VIEW, child=child
    )
    return render(
        request,
        "children/child_detail.html",
        {
            "child": child,
            "circumstances": selectors.child_circumstances(child=child, user=request.user),
            "show_health": sensitive,
        },
    )


@portal_view
def child_new(request):
    form = ChildForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        confirm = data.pop("confirm_not_duplicate")
        try:
            child = services.child_register(by=request.user, confirm_not_duplicate=confirm, **data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": child.full_name})
            return redirect(child)
    return render(request, "children/child_form.html", {"form": form})
