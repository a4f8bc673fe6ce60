"""Reads of the reports: which units must submit a kind of report, which did and when (completeness),
and the accepted reports of the communes a district report consolidates.

Which units must submit a kind of report: the units of its level with at least one active account
of the role that prepares it (a commune officer for a commune, district staff for a district).
A unit nobody works in cannot report, and the completeness rate would otherwise count the
province's hundreds of communes that are not on the portal.
"""

from __future__ import annotations

from fund_portal.models import AdministrativeUnit, Role, UnitLevel

from .models import Cadence, Report, ReportKind, ReportStatus, Timeliness, timeliness_of

#: The role that prepares a report of each level.
PREPARER_ROLE = {UnitLevel.COMMUNE: Role.COMMUNE_OFFICER, UnitLevel.DISTRICT: Role.DISTRICT_STAFF}


def units_required(*, kind: ReportKind, under: AdministrativeUnit | None = None):
    """The units that must submit this kind of report (see the module docstring), under a unit if given."""
    units = AdministrativeUnit.objects.filter(
        level=kind.submitter_level,
        users__is_active=True,
        users__role=PREPARER_ROLE.get(kind.submitter_level, Role.DISTRICT_STAFF),
    )
    if under is not None:
        units = units.filter(path__startswith=under.path)
    return units.distinct().order_by("path")


def accepted_commune_figures(
    *, kind: ReportKind, unit: AdministrativeUnit, year: int, start, end
) -> dict[int, dict]:
    """{commune id: figures} of the communes' accepted reports of the same cadence and period."""
    if unit.level == UnitLevel.COMMUNE or kind.cadence == Cadence.OTHER:
        return {}
    rows = Report.objects.filter(
        kind__cadence=kind.cadence,
        kind__submitter_level=UnitLevel.COMMUNE,
        unit__path__startswith=unit.path,
        year=year,
        period_start=start,
        period_end=end,
        status=ReportStatus.ACCEPTED,
    ).values_list("unit_id", "figures")
    return {unit_id: figures for unit_id, figures in rows if figures.get("children")}


def report_completeness(
    *, kind: ReportKind, year: int, under: AdministrativeUnit | None = None, today=None
) -> list[dict]:
    """Per unit that must submit: its report (if any), due date, submission and on time / late / missing."""
    _start, _end, due = kind.period(year)
    reports = {
        r.unit_id: r for r in Report.objects.filter(kind=kind, year=year).select_related("submitted_by")
    }
    rows = []
    for unit in units_required(kind=kind, under=under):
        report = reports.get(unit.pk)
        rows.append(
            {
                "unit": unit,
                "report": report,
                "due_on": report.due_on if report else due,
                "status": report.status if report else None,
                "submitted_at": report.submitted_at if report and report.is_frozen else None,
                "timeliness": timeliness_of(
                    status=report.status if report else None,
                    submitted_at=report.submitted_at if report else None,
                    due_on=report.due_on if report else due,
                    today=today,
                ),
            }
        )
    return rows


def completeness_summary(rows: list[dict]) -> dict:
    expected = len(rows)
    reported = sum(1 for r in rows if r["timeliness"] in (Timeliness.ON_TIME, Timeliness.LATE))
    on_time = sum(1 for r in rows if r["timeliness"] == Timeliness.ON_TIME)
    missing = sum(1 for r in rows if r["timeliness"] == Timeliness.MISSING)
    return {
        "expected": expected,
        "reported": reported,
        "on_time": on_time,
        "late": reported - on_time,
        "missing": missing,
        "completeness": round(100 * reported / expected, 1) if expected else None,
        "timeliness": round(100 * on_time / expected, 1) if expected else None,
    }


def consolidation_completeness(report: Report) -> list[dict] | None:
    """For a district report: the completeness table of the communes' report of the same cadence."""
    if report.unit.level == UnitLevel.COMMUNE or report.kind.cadence == Cadence.OTHER:
        return None
    kind = ReportKind.objects.filter(
        cadence=report.kind.cadence, submitter_level=UnitLevel.COMMUNE, is_active=True
    ).first()
    if kind is None:
        return None
    return report_completeness(kind=kind, year=report.year, under=report.unit)
