"""The officers' pages of a child's care: the commune's priority list, the needs assessment, the priority
set by hand, the yearly review."""

from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import NeedArea
from fund_portal.authority import Action
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.text import is_digits
from fund_portal.views import portal_action, portal_view

from ..forms.care import NeedsForm, PriorityOverrideForm, ReviewForm
from ..models import Child
from ..selectors import registry as selectors
from ..services import care as services
from .registry import _child_form_view


@portal_view
def priority_list(request):
    """The commune's priority list (danh sách theo thứ tự ưu tiên), highest priority first."""
    communes = (
        AdministrativeUnit.objects.visible_to(request.user).filter(level=UnitLevel.COMMUNE).order_by("name")
    )
    commune_id = request.GET.get("commune", "")
    commune = communes.filter(pk=commune_id).first() if is_digits(commune_id) else None
    if commune is None and request.user.unit and request.user.unit.level == UnitLevel.COMMUNE:
        commune = request.user.unit
    if commune is None:
        commune = communes.first()
    rows, next_cursor = [], ""
    if commune is not None:
        children = selectors.children_list(user=request.user, commune_id=commune.pk, order="priority")
        rows, next_cursor = selectors.children_page(
            children=children,
            after=request.GET.get("after", ""),
            size=50,
            within=Child.objects.visible_to(request.user),
        )
        if rows and not selectors.can_see_sensitive(request.user):
            # No score without the permission (it would name a restricted group by its weight): the
            # rank in the visible order, counted from the rows ahead of this page's first one.
            first = rows[0]
            ahead = children.filter(
                Q(sort_key__gt=first.sort_key) | Q(sort_key=first.sort_key, id__lt=first.pk)
            ).count()
            for index, row in enumerate(rows):
                row.rank = ahead + index + 1
    return render(
        request,
        "children/priority_list.html",
        {
            "communes": communes,
            "commune": commune,
            "children": rows,
            "next_cursor": next_cursor,
            "first_page": not request.GET.get("after"),
            "show_scores": selectors.can_see_sensitive(request.user),
        },
    )


@portal_action(Action.CHILD_ASSESS)
def needs_assess(request, pk):
    def save(child, data):
        services.needs_assess(
            child=child,
            by=request.user,
            year=data["assessed_on"].year,
            on=data["assessed_on"],
            needs=form_needs(data),
        )
        return _("The needs assessment is saved.")

    def form_needs(data):

        return {
            area: (data[f"urgency_{area}"], data[f"note_{area}"])
            for area in NeedArea.values
            if data.get(f"urgency_{area}")
        }

    def initial(child):
        year, needs = selectors.child_needs(child=child)
        values = {"assessed_on": timezone.localdate()}
        if year == timezone.localdate().year:
            for need in needs:
                values[f"urgency_{need.area}"] = need.urgency
                values[f"note_{need.area}"] = need.note
        return values

    return _child_form_view(
        request,
        pk,
        form_class=NeedsForm,
        template="children/needs_form.html",
        title=_("Needs assessment"),
        save=save,
        initial=initial,
    )


@portal_action(Action.CHILD_PRIORITY)
def priority_override(request, pk):
    def save(child, data):
        services.priority_override_set(
            child=child, by=request.user, value=data["value"], reason=data["reason"]
        )
        return _("The priority is saved.")

    return _child_form_view(
        request,
        pk,
        form_class=PriorityOverrideForm,
        template="children/small_form.html",
        title=_("Set the priority by hand"),
        save=save,
        initial=lambda child: {"value": child.priority_override, "reason": child.priority_override_reason},
    )


@portal_action(Action.CHILD_ASSESS)
def review(request, pk):
    def save(child, data):
        services.review_record(child=child, by=request.user, outcome=data["outcome"], note=data["note"])
        return _("The yearly review of %(name)s is recorded.") % {"name": child.full_name}

    return _child_form_view(
        request,
        pk,
        form_class=ReviewForm,
        template="children/small_form.html",
        title=_("Yearly review"),
        save=save,
    )
