"""The plan section of the figures: the unit's own targets for the year, and the child population the
rates are counted over where the unit has entered it (else the registry's count, marked as such).

Which target holds for a unit: the nearest unit up the tree (the unit itself first) with a target for
the indicator in an active plan covering the year, a target for that year before one for every year.
A count (communes given play equipment) holds only for the unit it is set for: a district's "14
communes" is not printed in one commune's report.

Which population: the unit's own figures of the year (or the latest year before it), else the sum of
its communes' when every commune has entered one. Both are frozen with the figures at submission."""

from __future__ import annotations

from django.db.models import Q

from fund_portal.models import AdministrativeUnit, UnitLevel
from reports.models import Indicator, PlanTarget, Population

POPULATION_FIELDS = ("children_under_16", "children_under_6", "children_poor")


def plan_targets(*, unit: AdministrativeUnit, year: int) -> dict[str, dict]:
    """{indicator: {"value", "plan", "unit"}} of the targets that hold for `unit` in `year`."""
    chain = [*unit.ancestors(), unit]
    depth = {u.pk: i for i, u in enumerate(chain)}
    rows = (
        PlanTarget.objects.filter(
            Q(year=year) | Q(year__isnull=True),
            unit__in=chain,
            plan__is_active=True,
            plan__first_year__lte=year,
            plan__last_year__gte=year,
        )
        .select_related("plan", "unit")
        .order_by()
    )
    best: dict[str, PlanTarget] = {}
    for row in rows:
        if Indicator.is_count(row.indicator) and row.unit_id != unit.pk:
            continue
        key = (depth[row.unit_id], row.year is not None)
        current = best.get(row.indicator)
        if current is None or key > (depth[current.unit_id], current.year is not None):
            best[row.indicator] = row
    return {
        indicator: {"value": row.value, "plan": str(row.plan), "unit": row.unit.name}
        for indicator, row in best.items()
    }


def _latest(rows: list[Population], field: str) -> tuple[int | None, str]:
    for row in sorted(rows, key=lambda r: r.year, reverse=True):
        if getattr(row, field) is not None:
            return getattr(row, field), row.source or str(row.year)
    return None, ""


def population(*, unit: AdministrativeUnit, year: int) -> dict[str, dict | None]:
    """{field: {"value", "source"} or None} for the unit (see the module docstring)."""
    own = list(Population.objects.filter(unit=unit, year__lte=year))
    communes = []
    if unit.level != UnitLevel.COMMUNE:
        communes = list(
            AdministrativeUnit.objects.filter(
                path__startswith=unit.path, level=UnitLevel.COMMUNE
            ).values_list("pk", flat=True)
        )
    by_commune: dict[int, list[Population]] = {}
    for row in Population.objects.filter(unit_id__in=communes, year__lte=year):
        by_commune.setdefault(row.unit_id, []).append(row)
    out: dict[str, dict | None] = {}
    for field in POPULATION_FIELDS:
        value, source = _latest(own, field)
        if value is None and communes:
            parts = [_latest(by_commune.get(pk, []), field)[0] for pk in communes]
            if all(part is not None for part in parts):
                value, source = sum(parts), "communes"
        out[field] = {"value": value, "source": source} if value is not None else None
    return out


def plan_figures(*, unit: AdministrativeUnit, year: int) -> dict:
    return {"targets": plan_targets(unit=unit, year=year), "population": population(unit=unit, year=year)}
