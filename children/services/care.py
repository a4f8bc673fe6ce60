"""The yearly care of a child: needs assessment, priority set by hand, yearly review (rà soát)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import NeedArea
from fund_portal.authority import Action, requires
from fund_portal.public_cache import public_figures_changed
from fund_portal.text import normalize_text

from ..models import (
    Child,
    Need,
    Review,
    ReviewOutcome,
)
from ..priority import priority_recompute
from .registry import _require_active, _require_visible


@transaction.atomic
@requires(Action.CHILD_ASSESS)
def needs_assess(
    *, child: Child, by, year: int, on: dt.date, needs: dict[str, tuple[int, str]]
) -> list[Need]:
    """The yearly needs assessment: `needs` maps an area to (urgency 1-3, note); the year's earlier
    assessment is replaced. The priority follows."""

    _require_visible(child=child, by=by)
    _require_active(child)
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": _("The year %(year)s is not a year of assessment.") % {"year": year}})
    if on > today or on.year != year:
        raise ValidationError({"on": _("The date of the assessment is in the future or not in that year.")})
    rows = []
    for area, (urgency, note) in needs.items():
        if area not in NeedArea.values:
            raise ValidationError(_("“%(area)s” is not an area of need.") % {"area": area})
        if urgency not in (1, 2, 3):
            raise ValidationError(_("The urgency is low, medium or high."))
        rows.append(
            Need(
                child=child,
                year=year,
                area=area,
                urgency=urgency,
                note=normalize_text(note)[:255],
                assessed_on=on,
                assessed_by=by,
            )
        )
    Need.objects.filter(child=child, year=year).delete()
    Need.objects.bulk_create(rows)
    public_figures_changed(unit_ids=[child.commune_id])
    priority_recompute(child_ids=[child.pk])
    return rows


@transaction.atomic
@requires(Action.CHILD_PRIORITY)
def priority_override_set(*, child: Child, by, value: int | None, reason: str = "") -> Child:
    """Set the child's priority by hand (with a reason), or go back to the computed score (None)."""
    _require_visible(child=child, by=by)
    reason = normalize_text(reason)
    if value is not None and not reason:
        raise ValidationError({"reason": _("Give the reason for setting the priority by hand.")})
    if value is not None and not 0 <= value <= 1000:
        raise ValidationError({"value": _("The priority is between 0 and 1000.")})
    child.priority_override = value
    child.priority_override_reason = reason if value is not None else ""
    child.save(update_fields=["priority_override", "priority_override_reason", "updated_at"])
    priority_recompute(child_ids=[child.pk])
    child.refresh_from_db()
    return child


@transaction.atomic
@requires(Action.CHILD_ASSESS)
def review_record(
    *, child: Child, by, outcome: str = ReviewOutcome.CONFIRMED, note: str = "", on: dt.date | None = None
) -> Review:
    """The yearly review (rà soát): the officer confirms or has updated the child's record this year."""
    _require_visible(child=child, by=by)
    _require_active(child)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("The date is in the future.")})
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the review.")})
    if Review.objects.filter(child=child, year=on.year).exists():
        raise ValidationError(
            _("%(name)s is already reviewed for %(year)s.") % {"name": child.full_name, "year": on.year}
        )
    review = Review.objects.create(
        child=child, year=on.year, reviewed_on=on, outcome=outcome, note=normalize_text(note)[:255], by=by
    )
    Child.objects.filter(pk=child.pk).update(last_reviewed_year=on.year)
    return review
