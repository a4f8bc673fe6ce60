"""The figures of a whole report: each commune's sections, their sum for the unit, the lines of a
district or a province (its communes or districts), and the rates derived from the counts (see the
package's docstring)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from children.models import Poverty
from children.selectors.incidents import incident_counts_by_commune
from fund_portal.models import AdministrativeUnit, UnitLevel
from reports.figures.children import (
    aged_out_counts,
    empty_children,
    need_counts,
    registry_counts,
    special_circumstance_counts,
)
from reports.figures.money import money_figures
from reports.figures.plan import plan_figures
from reports.figures.support import (
    children_supported_counts,
    difficult_commune_counts,
    empty_support,
    play_equipment_counts,
    support_counts,
)

FIGURES_VERSION = 2  # 2: the plan section (the unit's own targets and population)
#: The targets reports printed before plans were data (the plan to 2025, DOMAIN.md point 10): a report
#: frozen then, its figures without a plan section, prints them again as it did.
LEGACY_TARGETS = {
    "special_supported": 99,
    "poor_supported": 100,
    "health_checked": 100,
    "nutrition": 100,
    "play_equipment": 14,
}


def add_into(total: dict, part: dict) -> dict:
    """Add the numbers of `part` into `total`, key by key, recursively (missing keys count as 0)."""
    for key, value in part.items():
        if isinstance(value, dict):
            add_into(total.setdefault(key, {}), value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value
    return total


def commune_sections(*, communes: list[AdministrativeUnit], start: dt.date, end: dt.date) -> dict[int, dict]:
    """{commune id: {"children", "support", "incidents"}} for the period, a dozen GROUP BY queries in all."""
    ids = [c.pk for c in communes]
    out = {
        c.pk: {"children": empty_children(), "support": empty_support(), "incidents": {}} for c in communes
    }
    if not ids:
        return out
    registry_counts(out, ids=ids, start=start, end=end)
    special_circumstance_counts(out, ids=ids, start=start, end=end)
    aged_out_counts(out, ids=ids, start=start, end=end)
    need_counts(out, ids=ids, end=end)
    support_counts(out, ids=ids, start=start, end=end)
    children_supported_counts(out, ids=ids, start=start, end=end)
    difficult_commune_counts(out, communes=communes, start=start, end=end)
    play_equipment_counts(out, ids=ids, start=start, end=end)
    incidents = incident_counts_by_commune(start=start, end=end, commune_ids=[c.pk for c in communes])
    for commune in communes:
        out[commune.pk]["incidents"] = incidents[commune.pk]
    return out


class _Tree:
    """The districts and communes under a unit, with the parts each adds to the one above it: an accepted
    report's frozen sections where the unit's report was accepted, else the sum of its own lines (a
    commune's: its live sections). So each level's total is the sum of its lines, at every level."""

    def __init__(self, unit: AdministrativeUnit, accepted: dict[int, dict], start: dt.date, end: dt.date):
        self.accepted = accepted
        units = list(
            AdministrativeUnit.objects.filter(
                path__startswith=unit.path, level__in=(UnitLevel.DISTRICT, UnitLevel.COMMUNE)
            )
            .exclude(pk=unit.pk)
            .order_by("path")
        )
        self.lines: dict[int, list[AdministrativeUnit]] = defaultdict(list)
        for child in units:
            self.lines[child.parent_id].append(child)
        covered = [u.path for u in units if u.pk in accepted]
        live = [
            u
            for u in units
            if u.level == UnitLevel.COMMUNE and not any(u.path.startswith(path) for path in covered)
        ]
        if unit.level == UnitLevel.COMMUNE:
            live = [unit]
        self.sections = commune_sections(communes=live, start=start, end=end)

    def part(self, unit: AdministrativeUnit) -> dict:
        if unit.pk in self.accepted:
            return self.accepted[unit.pk]
        if unit.level == UnitLevel.COMMUNE:
            return self.sections[unit.pk]
        return sum_sections([self.part(line) for line in self.lines[unit.pk]])


def _line(unit: AdministrativeUnit, part: dict, source: str) -> dict:
    """One line of a consolidated report: a commune's or a district's main figures."""
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "source": source,
        "children": part["children"]["total"],
        "special": part["children"]["special"]["total"],
        "poor": part["children"]["poverty"].get(Poverty.POOR, 0)
        + part["children"]["poverty"].get(Poverty.NEAR_POOR, 0),
        "supported": part["support"]["children_supported"],
        "support_value": part["support"]["value"],
        "incidents": part["incidents"].get("total", 0),
    }


def compute_figures(
    *,
    unit: AdministrativeUnit,
    start: dt.date,
    end: dt.date,
    year: int,
    accepted: dict[int, dict] | None = None,
) -> dict:
    """The figures of `unit` for the period. `accepted`: {unit id: frozen figures of its accepted report
    of the same period} for the communes and districts under `unit`, used in place of live figures.

    A commune's figures are its own; a district's or a province's are the sum of its lines (its
    districts, or its communes where there are no districts), each line what its accepted report
    said, or else the sum of the lines under it."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    tree = _Tree(unit, accepted or {}, start, end)
    if unit.level == UnitLevel.COMMUNE:
        total, lines = tree.sections[unit.pk], None
    else:
        parts = [(line, tree.part(line)) for line in tree.lines[unit.pk]]
        total = sum_sections([part for _line_unit, part in parts])
        lines = [
            _line(line, part, "accepted" if line.pk in tree.accepted else "live") for line, part in parts
        ]
    figures = {
        "version": FIGURES_VERSION,
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
        "period": {"start": start.isoformat(), "end": end.isoformat(), "year": year},
        "computed_at": timezone.now().isoformat(),
        "children": add_into(empty_children(), total["children"]),
        "support": add_into(empty_support(), total["support"]),
        "incidents": add_into({}, total["incidents"]),
        "money": money_figures(unit=unit, start=start, end=end, year=year),
        "plan": plan_figures(unit=unit, year=year),
    }
    if lines is not None:
        figures["communes"] = lines  # the report's lines, communes or districts (each line says its level)
    return figures


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def targets_of(figures: dict) -> dict[str, int]:
    """{indicator: target} that hold for the report's unit (see `reports.figures.plan`)."""
    if "plan" not in figures:
        return dict(LEGACY_TARGETS)
    return {key: target["value"] for key, target in figures["plan"]["targets"].items()}


def population_of(figures: dict, field: str) -> dict | None:
    """{"value", "source"} of the population the unit entered, or None: the registry is the denominator."""
    return ((figures.get("plan") or {}).get("population") or {}).get(field)


def rates(figures: dict) -> dict:
    """The shares the plan sets targets for, derived from the counts (None: nothing to divide). Children of
    poor households are counted over the population where the unit has entered it, else the registry."""
    children, support = figures["children"], figures["support"]
    poor = children["poverty"].get(Poverty.POOR, 0) + children["poverty"].get(Poverty.NEAR_POOR, 0)
    poor_population = population_of(figures, "children_poor")
    under_16 = population_of(figures, "children_under_16")
    difficult = support["difficult"]
    drive = figures["money"]["salary_drive"]
    poor_base = poor_population["value"] if poor_population else poor
    return {
        "special_supported": percent(support["special_supported"], children["special"]["total"]),
        "poor_supported": percent(support["poor_supported"], poor_base),
        "poor_base": poor_base,
        "health_checked": percent(difficult["health_checked"], difficult["target_children"]),
        "nutrition": percent(difficult["nutrition"], difficult["target_children"]),
        "salary_drive": percent(drive["paid"], drive["expected"]),
        "registry_coverage": percent(children["total"], under_16["value"]) if under_16 else None,
        "poor_total": poor,
    }


def additive_sections(figures: dict) -> dict:
    """The parts of the figures that add up from communes to the district (what consolidation sums)."""
    return {key: figures[key] for key in ("children", "support", "incidents")}


def sum_sections(parts: list[dict]) -> dict:
    total: dict = {"children": {}, "support": {}, "incidents": {}}
    for part in parts:
        for key in total:
            add_into(total[key], part[key])
    return total
