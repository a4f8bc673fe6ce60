"""Writes of the priority formula's weights (`children.priority`): a fund's own weight for a factor,
or the deployment's default set. The children the weight counts for are recomputed after the commit.

The action is `CHILD_PRIORITY`, the one that sets a child's priority by hand: the weights are how the
priority is set, and no role may change them that may not set a child's priority by hand (the village
volunteer records needs, `CHILD_ASSESS`, and decides no priority). Which weights a user reaches is
scope: a fund's, through the fund's unit; the default set, which counts in every fund without weights
of its own, only the system administrator's (a user who sees everything)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from donations.models import Fund
from fund_portal.authority import Action, requires
from fund_portal.scope import sees_everything
from fund_portal.text import normalize_text

from ..models import PriorityWeight
from ..priority import DEFAULT_WEIGHTS

#: The range of a weight: a factor adds at most as much as a priority set by hand may be.
WEIGHT_RANGE = (0, 1000)


def _require_fund(*, fund: Fund | None, by) -> None:
    """A fund's weights are changed by whoever reaches the fund (its unit's staff, or a unit above);
    the default set, which counts in every fund without its own, by the system administrator only."""
    if by is None:
        return
    if fund is None:
        if not sees_everything(by):
            raise ValidationError(
                _("Only the system administrator changes the default weights; set your fund's own instead."),
                code="scope",
            )
    elif not Fund.objects.visible_to(by).filter(pk=fund.pk).exists():
        raise ValidationError(_("This fund is outside your unit."), code="scope")


def _recompute_after_commit(fund: Fund | None) -> None:
    from ..tasks import priority_recompute_task

    fund_id = fund.pk if fund is not None else None
    transaction.on_commit(lambda: priority_recompute_task.delay(fund_id=fund_id), robust=True)


@transaction.atomic
@requires(Action.CHILD_PRIORITY)
def priority_weight_set(*, by, fund: Fund | None, factor: str, weight: int, note: str = "") -> PriorityWeight:
    """Set a factor's weight for a fund (its own row, made if it has none) or in the default set
    (`fund` None); the children it counts for are recomputed in a task."""
    _require_fund(fund=fund, by=by)
    errors: dict[str, list[str]] = {}
    if factor not in DEFAULT_WEIGHTS:
        errors["factor"] = [_("“%(factor)s” is not a factor of the priority formula.") % {"factor": factor}]
    low, high = WEIGHT_RANGE
    if isinstance(weight, bool) or not isinstance(weight, int) or not low <= weight <= high:
        errors["weight"] = [
            _("A weight is a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        ]
    if errors:
        raise ValidationError(errors)
    row = PriorityWeight.objects.select_for_update().filter(fund=fund, factor=factor).order_by("pk").first()
    if row is None:
        row = PriorityWeight(fund=fund, factor=factor)
    row.weight = weight
    row.note = normalize_text(note)[:255]
    row.full_clean()
    row.save()
    _recompute_after_commit(fund)
    return row


@transaction.atomic
@requires(Action.CHILD_PRIORITY)
def priority_weight_remove(*, by, weight: PriorityWeight) -> None:
    """Take away a fund's own weight for a factor: the default set's counts again for its children.
    The default set's rows are never removed (a factor without a row would count 0 everywhere)."""
    if weight.fund_id is None:
        raise ValidationError(_("A weight of the default set is changed, never removed."), code="default")
    fund = Fund.objects.get(pk=weight.fund_id)
    _require_fund(fund=fund, by=by)
    PriorityWeight.objects.filter(pk=weight.pk).delete()
    _recompute_after_commit(fund)
