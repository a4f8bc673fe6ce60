"""Staff keep plans, their targets and the child population as data (see `reports.models.plans`); a
report takes the targets and the population that hold for its unit and year when it is built."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.models import AdministrativeUnit
from fund_portal.scope import units_in_reach
from reports.models import Plan, PlanTarget, Population


def _saved_unit(model, record) -> int | None:
    return model.objects.filter(pk=record.pk).values_list("unit_id", flat=True).first() if record.pk else None


def plan_check(*, plan: Plan, by) -> None:
    if not units_in_reach(by, plan.unit_id, _saved_unit(Plan, plan)):
        raise ValidationError({"unit": _("This unit is outside your scope.")})


@requires(Action.REPORT_CALENDAR)
def plan_save(*, plan: Plan, by) -> Plan:
    plan_check(plan=plan, by=by)
    plan.full_clean()
    plan.save()
    return plan


def plan_target_check(*, target: PlanTarget, by) -> None:
    """A target is set for the plan's unit or one under it, for a year of the plan, within `by`'s scope."""
    errors: dict[str, list[str]] = {}
    plan = target.plan
    if not units_in_reach(by, target.unit_id, _saved_unit(PlanTarget, target), plan.unit_id):
        errors["unit"] = [_("This unit is outside your scope.")]
    elif (
        target.unit_id is not None
        and not AdministrativeUnit.objects.filter(pk=target.unit_id, path__startswith=plan.unit.path).exists()
    ):
        errors["unit"] = [_("A target is set for the plan's unit or a unit under it.")]
    if target.year is not None and not plan.first_year <= target.year <= plan.last_year:
        errors["year"] = [
            _("The plan runs from %(first)s to %(last)s.")
            % {"first": plan.first_year, "last": plan.last_year}
        ]
    if errors:
        raise ValidationError(errors)


@requires(Action.REPORT_CALENDAR)
def plan_target_save(*, target: PlanTarget, by) -> PlanTarget:
    plan_target_check(target=target, by=by)
    target.full_clean()
    target.save()
    return target


@requires(Action.REPORT_CALENDAR)
def plan_target_delete(*, target: PlanTarget, by) -> None:
    plan_target_check(target=target, by=by)
    target.delete()


def population_check(*, population: Population, by) -> None:
    if not units_in_reach(by, population.unit_id, _saved_unit(Population, population)):
        raise ValidationError({"unit": _("This unit is outside your scope.")})


@requires(Action.REPORT_CALENDAR)
def population_save(*, population: Population, by) -> Population:
    """A unit's child population of a year: the denominators of its reports' rates."""
    population_check(population=population, by=by)
    population.full_clean()
    population.save()
    return population


@requires(Action.REPORT_CALENDAR)
def population_delete(*, population: Population, by) -> None:
    population_check(population=population, by=by)
    population.delete()
