"""The periodic reports (chế độ báo cáo): a calendar that is data, and each unit's report for a year.

Decisions (see also reports/services.py, reports/selectors.py and reports/figures/):

- A `ReportKind` is one line of the reporting calendar: the period it covers, its due date and
  how many days before it the draft is built, the level of the units that submit it and the level of
  the units that consolidate it (a commune's report goes to its district in the three-level tree of
  the source documents, to its province in today's two-level tree; a province's report leaves the
  portal). A kind may be owned by a unit: then only the units under it owe it, and it stands in for
  a deployment-wide kind of the same cadence and levels there. The defaults are seeded by data
  migrations; staff change them and add others (10/7 to the Fatherland Front...) in the admin.
- Who a report is addressed to ("Nơi nhận"), which body issues it and who signs it are data per unit
  and kind (`ReportAddressing`): each field is taken from the nearest row up the unit's tree.
- A `Report` is one unit's report of one kind for one year: unique (kind, unit, year). Its
  figures are JSON computed by SQL aggregates; they are frozen when the officer submits it and
  unfrozen only when the unit above returns it.
- On time / late / missing is derived from `due_on`, `submitted_at` and the status; there are no
  rows for "missing". The daily task stamps `missing_marked_at` on reports still unsubmitted at
  their due date, once.
"""

from .calendar import (
    CONSOLIDATOR_LEVELS,
    SUBMITTER_LEVELS,
    Cadence,
    ReportAddressing,
    ReportKind,
    calendar_date,
)
from .plans import Indicator, Plan, PlanTarget, Population
from .report import FROZEN_STATUSES, Report, ReportStatus, Timeliness, timeliness_of

__all__ = [
    "CONSOLIDATOR_LEVELS",
    "FROZEN_STATUSES",
    "SUBMITTER_LEVELS",
    "Cadence",
    "Indicator",
    "Plan",
    "PlanTarget",
    "Population",
    "Report",
    "ReportAddressing",
    "ReportKind",
    "ReportStatus",
    "Timeliness",
    "calendar_date",
    "timeliness_of",
]
