"""Reads of the reports: which units owe a kind of report, which did and when (completeness), what a
report consolidates, and who it is addressed to.

Which units owe a kind of report: every unit of its level whose parent is of the level that
consolidates it (a commune under a district owes the three-level kinds, a commune right under a
province the two-level ones), under the kind's owner if it has one, and not under the owner of a
more specific kind of the same cadence and levels. Whether anybody in the unit has an account does
not matter: a commune nobody works in still owes its report, and counts as missing until it comes.
"""

from __future__ import annotations

from django.db.models import Q

from fund_portal.models import AdministrativeUnit, Role, UnitLevel
from fund_portal.pdf import UNIT_WORDS, committee_signature

from .models import Cadence, Report, ReportAddressing, ReportKind, ReportStatus, Timeliness, timeliness_of

#: The role that prepares a report of each level.
PREPARER_ROLE = {
    UnitLevel.COMMUNE: Role.COMMUNE_OFFICER,
    UnitLevel.DISTRICT: Role.DISTRICT_STAFF,
    UnitLevel.PROVINCE: Role.DISTRICT_STAFF,
}
#: The levels whose units stand as lines of a consolidated report.
LINE_LEVELS = (UnitLevel.DISTRICT, UnitLevel.COMMUNE)


def kind_applies(kind: ReportKind, unit: AdministrativeUnit) -> bool:
    """Whether `unit` owes this kind of report (its level, its parent's level, the kind's owner)."""
    parent_level = unit.parent.level if unit.parent_id else ""
    return (
        kind.submitter_level == unit.level
        and kind.consolidator_level == parent_level
        and (kind.owner_id is None or unit.path.startswith(kind.owner.path))
    )


def report_kind_of(*, cadence: str, unit: AdministrativeUnit) -> ReportKind | None:
    """The active kind of report of this cadence that `unit` owes: the one of its owner nearest to it,
    else the deployment's."""
    kinds = [
        kind
        for kind in ReportKind.objects.filter(
            cadence=cadence, submitter_level=unit.level, is_active=True
        ).select_related("owner")
        if kind_applies(kind, unit)
    ]
    kinds.sort(key=lambda kind: len(kind.owner.path) if kind.owner_id else 0, reverse=True)
    return kinds[0] if kinds else None


def unit_owes(kind: ReportKind, unit: AdministrativeUnit) -> bool:
    """Whether `unit` owes this kind: it applies, and no kind of a nearer owner stands in for it."""
    if not kind_applies(kind, unit):
        return False
    return kind.cadence == Cadence.OTHER or report_kind_of(cadence=kind.cadence, unit=unit) == kind


def units_required(*, kind: ReportKind, under: AdministrativeUnit | None = None):
    """The units that owe this kind of report (see the module docstring), under a unit if given."""
    units = AdministrativeUnit.objects.filter(level=kind.submitter_level)
    if kind.consolidator_level:
        units = units.filter(parent__level=kind.consolidator_level)
    else:
        units = units.filter(parent__isnull=True)
    if kind.owner_id is not None:
        units = units.filter(path__startswith=kind.owner.path)
    if kind.cadence != Cadence.OTHER:
        specific = ReportKind.objects.filter(
            cadence=kind.cadence,
            submitter_level=kind.submitter_level,
            consolidator_level=kind.consolidator_level,
            is_active=True,
            owner__isnull=False,
        ).exclude(pk=kind.pk)
        if kind.owner_id is not None:
            specific = specific.filter(owner__path__startswith=kind.owner.path)
        for path in specific.values_list("owner__path", flat=True):
            units = units.exclude(path__startswith=path)
    if under is not None:
        units = units.filter(path__startswith=under.path)
    return units.order_by("path")


def report_lines(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The units that report to `unit` and stand as its report's lines: its districts (three levels) or
    its communes (two levels, or a district's); none for a commune."""
    if unit.level == UnitLevel.COMMUNE:
        return []
    return list(unit.children.filter(level__in=LINE_LEVELS).order_by("path"))


def accepted_figures(*, kind: ReportKind, unit: AdministrativeUnit, year: int, start, end) -> dict[int, dict]:
    """{unit id: figures} of the accepted reports of the same cadence and period of the units under
    `unit` (its communes, its districts): a consolidation uses them in place of live figures."""
    if unit.level == UnitLevel.COMMUNE or kind.cadence == Cadence.OTHER:
        return {}
    rows = (
        Report.objects.filter(
            kind__cadence=kind.cadence,
            unit__path__startswith=unit.path,
            year=year,
            period_start=start,
            period_end=end,
            status=ReportStatus.ACCEPTED,
        )
        .exclude(unit=unit)
        .values_list("unit_id", "figures")
    )
    return {unit_id: figures for unit_id, figures in rows if figures.get("children")}


def report_completeness(
    *, kind: ReportKind, year: int, under: AdministrativeUnit | None = None, today=None
) -> list[dict]:
    """Per unit that owes the report: its report (if any), due date, submission, on time / late / missing."""
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


def consolidated_kinds(report: Report) -> list[ReportKind]:
    """The kinds of the same cadence that the units under the report's unit send to it."""
    unit = report.unit
    if unit.level == UnitLevel.COMMUNE or report.kind.cadence == Cadence.OTHER:
        return []
    kinds = ReportKind.objects.filter(
        cadence=report.kind.cadence, consolidator_level=unit.level, is_active=True
    ).select_related("owner")
    return [
        kind
        for kind in kinds
        if kind.owner_id is None
        or unit.path.startswith(kind.owner.path)
        or kind.owner.path.startswith(unit.path)
    ]


def consolidation_completeness(report: Report) -> list[dict] | None:
    """For a district or province report: the completeness table of the reports its units send it."""
    kinds = consolidated_kinds(report)
    if not kinds:
        return None
    rows = []
    for kind in kinds:
        rows += report_completeness(kind=kind, year=report.year, under=report.unit)
    return sorted(rows, key=lambda row: row["unit"].path)


# --- Addressing -----------------------------------------------------------------------------------

ADDRESSING_FIELDS = (
    "recipients",
    "issuer_parent",
    "issuer",
    "signer_authority",
    "signer_title",
    "signer_name",
)


def unit_in_text(name: str) -> str:
    """A unit's name inside a sentence: "Tỉnh Thanh Hóa" -> "tỉnh Thanh Hóa"."""
    for word in UNIT_WORDS:
        if name.lower().startswith(word + " "):
            return word + name[len(word) :]
    return name


def report_addressing(report: Report) -> dict[str, object]:
    """Who the report goes to, who issues and signs it: each field from the nearest `ReportAddressing`
    up the unit's tree (one for the kind first), else the defaults (see `ReportAddressing`)."""
    unit = report.unit
    ancestors = [*unit.ancestors(), unit]
    rows = ReportAddressing.objects.filter(
        Q(kind=report.kind) | Q(kind__isnull=True), unit__in=ancestors
    ).select_related("unit")
    depth = {a.pk: i for i, a in enumerate(ancestors)}
    rows = sorted(rows, key=lambda row: (depth[row.unit_id], row.kind_id is not None), reverse=True)
    chosen = {
        field: next((getattr(r, field) for r in rows if getattr(r, field).strip()), "")
        for field in ADDRESSING_FIELDS
    }
    names = {
        "unit": unit_in_text(unit.name),
        "parent": unit_in_text(unit.parent.name) if unit.parent_id else "",
        "province": unit_in_text(ancestors[0].name),
    }
    recipients = chosen["recipients"] or report.kind.recipient
    if chosen["signer_authority"]:  # a body that is not the committee signs as its addressing writes it
        signature = {
            "signer_authority": chosen["signer_authority"],
            "signer_title": chosen["signer_title"],
            "signer_name": chosen["signer_name"],
        }
    else:
        signature = committee_signature(unit, title=chosen["signer_title"], name=chosen["signer_name"])
    return {
        "issuer_parent": _fill(chosen["issuer_parent"], names),
        "issuer_name": _fill(chosen["issuer"] or "Ủy ban nhân dân {unit}", names),
        "recipients": [_fill(line, names) for line in recipients.splitlines() if line.strip()] + ["Lưu: VT"],
        **signature,
    }


def _fill(text: str, names: dict[str, str]) -> str:
    for key, value in names.items():
        text = text.replace("{" + key + "}", value)
    return text.strip()
