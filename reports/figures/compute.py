"""The figures of a whole report: each commune's sections, their sum for the unit, the commune lines
of a district, and the rates derived from the counts (see the package's docstring)."""

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
from reports.figures.support import (
    children_supported_counts,
    difficult_commune_counts,
    empty_support,
    play_equipment_counts,
    support_counts,
)

FIGURES_VERSION = 1
#: Targets of the plan to 2025 (DOMAIN.md point 10).
TARGET_SPECIAL_SUPPORTED = 99
TARGET_POOR_SUPPORTED = 100
TARGET_DIFFICULT_COVERAGE = 100
TARGET_PLAY_EQUIPMENT_COMMUNES = 14


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


def communes_under(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    if unit.level == UnitLevel.COMMUNE:
        return [unit]
    return list(
        AdministrativeUnit.objects.filter(path__startswith=unit.path, level=UnitLevel.COMMUNE).order_by(
            "path"
        )
    )


def compute_figures(
    *,
    unit: AdministrativeUnit,
    start: dt.date,
    end: dt.date,
    year: int,
    accepted: dict[int, dict] | None = None,
) -> dict:
    """The figures of `unit` for the period. `accepted`: {commune id: frozen figures of its accepted report
    of the same period}, used in place of that commune's live figures."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    accepted = accepted or {}
    communes = communes_under(unit)
    live = [c for c in communes if c.pk not in accepted]
    sections = commune_sections(communes=live, start=start, end=end)
    children, support, incidents = empty_children(), empty_support(), {}
    lines = []
    for commune in communes:
        part = accepted.get(commune.pk) or sections[commune.pk]
        add_into(children, part["children"])
        add_into(support, part["support"])
        add_into(incidents, part["incidents"])
        lines.append(
            {
                "code": commune.code,
                "name": commune.name,
                "source": "accepted" if commune.pk in accepted else "live",
                "children": part["children"]["total"],
                "special": part["children"]["special"]["total"],
                "poor": part["children"]["poverty"].get(Poverty.POOR, 0)
                + part["children"]["poverty"].get(Poverty.NEAR_POOR, 0),
                "supported": part["support"]["children_supported"],
                "support_value": part["support"]["value"],
                "incidents": part["incidents"].get("total", 0),
            }
        )
    figures = {
        "version": FIGURES_VERSION,
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
        "period": {"start": start.isoformat(), "end": end.isoformat(), "year": year},
        "computed_at": timezone.now().isoformat(),
        "children": children,
        "support": support,
        "incidents": incidents,
        "money": money_figures(unit=unit, start=start, end=end, year=year),
    }
    if unit.level != UnitLevel.COMMUNE:
        figures["communes"] = lines
    return figures


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def rates(figures: dict) -> dict:
    """The shares the plan sets targets for, derived from the counts (None: nothing to divide)."""
    children, support = figures["children"], figures["support"]
    poor = children["poverty"].get(Poverty.POOR, 0) + children["poverty"].get(Poverty.NEAR_POOR, 0)
    difficult = support["difficult"]
    drive = figures["money"]["salary_drive"]
    return {
        "special_supported": percent(support["special_supported"], children["special"]["total"]),
        "poor_supported": percent(support["poor_supported"], poor),
        "health_checked": percent(difficult["health_checked"], difficult["target_children"]),
        "nutrition": percent(difficult["nutrition"], difficult["target_children"]),
        "salary_drive": percent(drive["paid"], drive["expected"]),
        "poor_total": poor,
    }


def additive_sections(figures: dict) -> dict:
    """The parts of the figures that add up from communes to the district (what consolidation sums)."""
    return {key: figures[key] for key in ("children", "support", "incidents")}


def sum_sections(parts: list[dict]) -> dict:
    total: dict = defaultdict(dict)
    for part in parts:
        for key in ("children", "support", "incidents"):
            add_into(total[key], part[key])
    return dict(total)
