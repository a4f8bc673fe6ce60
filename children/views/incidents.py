"""The portal's pages of incidents (vụ việc): officers record; the rest needs the sensitive permission."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fund_portal.authority import Action
from fund_portal.forms import form_service_errors
from fund_portal.text import is_digits
from fund_portal.views import portal_action, portal_view

from ..forms.incidents import IncidentForm, InterventionForm
from ..incidents import deadline_text, format_local, incident_deadline
from ..models import AccessAction, Child, Incident, IncidentStatus
from ..selectors.incidents import incident_get_for_user, incidents_list
from ..selectors.registry import can_see_sensitive, children_list, children_page
from ..services import incidents as service
from ..services.registry import access_log


def _readable(request, pk) -> Incident:
    try:
        return incident_get_for_user(user=request.user, incident_id=pk)
    except Incident.DoesNotExist as exc:
        raise Http404 from exc


def _with_deadline(incident: Incident) -> Incident:
    incident.deadline = incident_deadline(incident)
    incident.deadline_text = deadline_text(incident.deadline)
    return incident


@portal_view
def incident_list(request):
    if not can_see_sensitive(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    status = status if status in IncidentStatus.values else ""
    urgent = {"1": True, "0": False}.get(request.GET.get("urgent", ""))
    incidents = incidents_list(user=request.user, status=status, urgent=urgent)
    page = Paginator(incidents, 30).get_page(request.GET.get("page"))
    for incident in page:
        _with_deadline(incident)
    return render(
        request,
        "children/incident_list.html",
        {
            "page": page,
            "status": status,
            "urgent": request.GET.get("urgent", ""),
            "statuses": IncidentStatus.choices,
        },
    )


def _child_choice(request) -> tuple[Child | None, list[Child]]:
    """The child fixed by the child's page (`?child=`), or the children found by the name typed."""
    visible = Child.objects.visible_to(request.user).select_related("commune", "village")
    if is_digits(request.GET.get("child", "")):
        fixed = visible.filter(pk=request.GET["child"]).first()
        if fixed is not None:
            return fixed, []
    query = request.POST.get("child_search", "").strip()
    found = children_page(children=children_list(user=request.user, query=query), size=20)[0] if query else []
    chosen = request.POST.get("child", "")
    if is_digits(chosen) and all(str(c.pk) != chosen for c in found):
        found += list(visible.filter(pk=chosen))
    return None, found


@portal_action(Action.INCIDENT_RECORD)
def incident_new(request):
    fixed, candidates = _child_choice(request)
    initial = {"commune": fixed.commune_id} if fixed else {}
    form = IncidentForm(
        request.POST or None, user=request.user, initial=initial, candidates=candidates, fixed_child=fixed
    )
    if "find_child" in request.POST:
        # The name search: the children found, what was typed kept, nothing saved and nothing refused yet.
        typed = {name: request.POST.get(name) for name in form.fields if name in request.POST}
        form = IncidentForm(user=request.user, initial=typed, candidates=candidates)
        return render(request, "children/incident_form.html", {"form": form, "searched": True})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") and k != "child_search"}
        try:
            incident = service.incident_record(by=request.user, **data)
        except ValidationError as error:
            form_service_errors(form, error)
        else:
            if incident.urgent:
                messages.warning(
                    request,
                    _("The urgent incident is recorded and the district alerted. Intervene by %(deadline)s.")
                    % {"deadline": format_local(incident_deadline(incident))},
                )
            else:
                messages.success(request, _("The incident is recorded."))
            if can_see_sensitive(request.user):
                return redirect("children:incident_detail", pk=incident.pk)
            return redirect("children:incident_recorded")
    return render(request, "children/incident_form.html", {"form": form})


@portal_view
def incident_recorded(request):
    """The confirmation an officer without the sensitive permission sees after recording."""
    return render(request, "children/incident_recorded.html")


@portal_view
def incident_detail(request, pk):
    incident = _with_deadline(_readable(request, pk))
    access_log(user=request.user, action=AccessAction.SENSITIVE, child=incident.child, unit=incident.commune)
    return render(
        request,
        "children/incident_detail.html",
        {"incident": incident, "intervention_form": InterventionForm()},
    )


@portal_action(Action.INCIDENT_HANDLE)
@require_POST
def incident_intervene(request, pk):
    incident = _readable(request, pk)
    form = InterventionForm(request.POST)
    if form.is_valid():
        try:
            service.incident_intervene(incident=incident, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_service_errors(form, error)
        else:
            messages.success(request, _("The intervention is recorded."))
            return redirect("children:incident_detail", pk=incident.pk)
    return render(
        request,
        "children/incident_detail.html",
        {"incident": _with_deadline(incident), "intervention_form": form},
        status=400,
    )


@portal_action(Action.INCIDENT_HANDLE)
@require_POST
def incident_close(request, pk):
    incident = _readable(request, pk)
    try:
        service.incident_close(incident=incident, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The incident is closed."))
    return redirect("children:incident_detail", pk=incident.pk)
