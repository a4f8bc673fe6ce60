"""The officers' page to record support given to a child or to a commune."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.authority import Action
from fund_portal.forms import form_service_errors
from fund_portal.views import portal_action

from ..forms.support import SupportForm
from ..services import support as services
from .registry import _child


@portal_action(Action.SUPPORT_RECORD)
def support_new(request, pk=None):
    child = _child(request, pk) if pk is not None else None
    form = SupportForm(
        request.POST or None, user=request.user, child=child, initial={"delivered_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        confirm = data.pop("confirm_overlap")
        try:
            services.support_record(by=request.user, confirm_overlap=confirm, child=child, **data)
        except ValidationError as error:
            form_service_errors(form, error)
        else:
            messages.success(request, _("The support is recorded."))
            return redirect(child or "children:list")
    return render(
        request,
        "children/support_form.html",
        {"form": form, "child": child, "title": _("Record support")},
    )
