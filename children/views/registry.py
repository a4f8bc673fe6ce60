"""The officers' pages of the children registry: scoped, logged, sensitive data kept on the server.

Each view reads a form, calls one service, and redirects; a service's refusal (`ValidationError`)
is shown on the form, field by field.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fund_portal.authority import Action
from fund_portal.forms import form_service_errors
from fund_portal.models import UnitLevel
from fund_portal.views import portal_action, portal_view, scoped_get_object_or_404

from ..forms.care import ReviewForm
from ..forms.registry import (
    ChildEditForm,
    ChildFilterForm,
    ChildForm,
    CircumstanceForm,
    ConsentForm,
    StatusForm,
)
from ..models import AccessAction, Child, ChildStatus, Circumstance, ReviewOutcome
from ..priority import priority_shown
from ..selectors import duplicates
from ..selectors import registry as selectors
from ..selectors.incidents import child_incidents
from ..selectors.support import child_support_totals, child_supports
from ..selectors.transfers import child_transfers_context
from ..services import registry as services


def _child(request, pk) -> Child:
    return scoped_get_object_or_404(Child.objects.select_related("commune", "village"), request.user, pk=pk)


def filtered_children(request):
    """The list's filter form (from the query string) and the children it selects, for the list and
    the export."""
    form = ChildFilterForm(request.GET or None, groups=selectors.group_choices(user=request.user))
    filters = form.filters() if request.GET else {}
    query = filters.pop("q", "") or ""
    filters = {name: value for name, value in filters.items() if value not in (None, "")}
    return form, selectors.children_list(user=request.user, query=query, **filters)


#: What the list's rows show (`children/child_list.html`): a child's record has 40 columns, and each row
#: made a model instance of them all (0.8 ms of a 30-row page).
LIST_COLUMNS = (
    *("full_name", "name_folded", "birth_date", "last_reviewed_year"),
    *("commune__name", "village__name"),
)


@portal_view
def child_list(request):
    form, children = filtered_children(request)
    rows, next_cursor = selectors.children_page(
        children=children.only(*LIST_COLUMNS),
        after=request.GET.get("after", ""),
        within=Child.objects.visible_to(request.user),
    )
    params = request.GET.copy()
    params.pop("after", None)
    return render(
        request,
        "children/child_list.html",
        {
            "children": rows,
            "next_cursor": next_cursor,
            "form": form,
            "params": params.urlencode(),
            "first_page": not request.GET.get("after"),
            "this_year": timezone.localdate().year,
            # Counted for one commune only: over a district it would be a COUNT of a hundred thousand rows.
            "progress": selectors.review_progress(user=request.user, commune_id=request.user.unit_id)
            if request.user.unit and request.user.unit.level == UnitLevel.COMMUNE
            else None,
        },
    )


@portal_view
def child_detail(request, pk):
    child = _child(request, pk)
    sensitive = selectors.can_see_sensitive(request.user)
    services.access_log(
        user=request.user,
        action=AccessAction.SENSITIVE if sensitive else AccessAction.VIEW,
        child=child,
        # Processing a record whose consent was withdrawn is marked, so the audit finds every access.
        reason=_("Restricted record (data consent withdrawn)") if child.data_restricted else "",
    )
    year, needs = selectors.child_needs(child=child)

    return render(
        request,
        "children/child_detail.html",
        {
            "child": child,
            "circumstances": selectors.child_circumstances(child=child, user=request.user),
            "show_health": sensitive,
            "needs_year": year,
            "needs": needs,
            "priority": priority_shown(child=child, user=request.user, needs=needs),
            "supports": child_supports(child=child),
            "support_totals": child_support_totals(child=child),
            "reviews": list(child.reviews.all()[:5]),
            "reviewed_this_year": child.last_reviewed_year == timezone.localdate().year,
            "status_changes": list(child.status_changes.select_related("by")),
            "consent_changes": list(child.consent_changes.select_related("by")[:20]),
            # Who sponsors a child is the fund's business, not a village volunteer's.
            "sponsorships": list(child.sponsorships.select_related("donor"))
            if request.user.works_with_the_fund
            else [],
            "incidents": child_incidents(child=child, user=request.user),
            "circumstance_form": CircumstanceForm(
                groups=selectors.group_choices(user=request.user),
                initial={"identified_on": timezone.localdate()},
            ),
            "review_form": ReviewForm(initial={"outcome": ReviewOutcome.CONFIRMED}),
            **child_transfers_context(child=child),
        },
    )


def _refusal_shown(request, form, error: ValidationError) -> dict:
    """A service's refusal on the form, beside its field: the likely duplicates the officer may open
    (then, and only then, the "not a duplicate" box), and the record already holding the ID, linked."""
    context: dict = {}
    personal_id = form.cleaned_data.get("personal_id")  # add_error takes a field out of cleaned_data
    on_id = error.error_dict.get("personal_id", []) if hasattr(error, "error_dict") else []
    if getattr(error, "code", None) == "duplicate":
        data = form.cleaned_data
        context["duplicates"] = duplicates.child_duplicates_visible(
            user=request.user,
            full_name=data.get("full_name", ""),
            birth_date=data.get("birth_date"),
            personal_id=data.get("personal_id"),
            commune=data.get("commune"),
        )
        form.add_error("confirm_not_duplicate", error)
    else:
        form_service_errors(form, error)
    if any(e.code == "personal_id_taken" for e in on_id):
        context["id_holder"] = duplicates.personal_id_holder_visible(
            personal_id=personal_id, user=request.user
        )
    return context


@portal_action(Action.CHILD_REGISTER)
def child_new(request):
    form = ChildForm(request.POST or None, user=request.user)
    context = {"title": _("Register a child")}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        confirm = data.pop("confirm_not_duplicate")
        today = timezone.localdate()
        circumstances = [{"group": code, "identified_on": today} for code in data.pop("groups")]
        try:
            child = services.child_register(
                by=request.user, confirm_not_duplicate=confirm, circumstances=circumstances, **data
            )
        except ValidationError as error:
            context |= _refusal_shown(request, form, error)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": child.full_name})
            return redirect(child)
    return render(request, "children/child_form.html", {"form": form, **context})


@portal_action(Action.CHILD_REGISTER)
def child_edit(request, pk):
    child = _child(request, pk)
    if child.status == ChildStatus.MERGED:
        raise Http404
    form = ChildEditForm(request.POST or None, request.FILES or None, instance=child, user=request.user)
    context: dict = {}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("photo") is False:  # "clear" ticked
            data["photo"] = ""
        try:
            services.child_update(child=Child.objects.get(pk=child.pk), by=request.user, **data)
        except ValidationError as error:
            context = _refusal_shown(request, form, error)
        else:
            messages.success(request, _("The record of %(name)s is saved.") % {"name": child.full_name})
            return redirect(child)
    return render(
        request,
        "children/child_form.html",
        {"form": form, "child": child, "title": _("Edit the record"), **context},
    )


@portal_action(Action.CHILD_REGISTER)
@require_POST
def circumstance_add(request, pk):
    child = _child(request, pk)
    form = CircumstanceForm(request.POST, groups=selectors.group_choices(user=request.user))
    if form.is_valid():
        try:
            services.circumstance_add(child=child, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The group is recorded."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(child)


@portal_action(Action.CHILD_REGISTER)
@require_POST
def circumstance_remove(request, pk, item_pk):
    child = _child(request, pk)
    item = get_object_or_404(Circumstance, pk=item_pk, child=child)
    services.circumstance_remove(circumstance=item, by=request.user)
    messages.success(request, _("The group is removed."))
    return redirect(child)


def _child_form_view(request, pk, *, form_class, template, title, save, initial=None):
    """A small form about one child: show it, and on a valid POST call `save(child, cleaned_data)`."""
    child = _child(request, pk)
    form = form_class(request.POST or None, initial=initial(child) if initial else None)
    if request.method == "POST" and form.is_valid():
        try:
            message = save(child, form.cleaned_data)
        except ValidationError as error:
            form_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(child)
    return render(request, template, {"form": form, "child": child, "title": title})


@portal_action(Action.CHILD_REGISTER)
def status_change(request, pk):
    def save(child, data):
        services.child_status_set(child=child, by=request.user, **data)
        return _("The status is changed.")

    return _child_form_view(
        request,
        pk,
        form_class=StatusForm,
        template="children/small_form.html",
        title=_("Change the status"),
        save=save,
        initial=lambda child: {"on": timezone.localdate()},
    )


@portal_action(Action.CHILD_REGISTER)
def consent(request, pk):
    def save(child, data):
        services.consent_set(child=child, by=request.user, **data)
        return _("The consent is recorded.")

    return _child_form_view(
        request,
        pk,
        form_class=ConsentForm,
        template="children/small_form.html",
        title=_("Guardian's consent"),
        save=save,
        initial=lambda child: {
            "data_consent": child.data_consent,
            "story_consent": child.story_consent,
            "story": child.story,
        },
    )


@portal_view
def child_photo(request, pk):
    """A child's photo, served only to users whose scope holds the child (never from a public URL)."""
    child = _child(request, pk)
    if not child.photo:
        raise Http404
    return FileResponse(child.photo.open("rb"))
