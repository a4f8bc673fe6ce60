"""The reports' rules: build, edit the narrative, submit (freezes the figures), accept, return; the calendar.

Who may do what (checked here, whatever calls: portal, admin, command, task):

- `by=None` is the system (the Celery task, the management command without --user): no scope.
- Building a report and editing its narrative: a commune officer or fund staff whose scope holds the
  unit (an auditor only reads).
- Submitting: the officer of the commune for a commune report, fund staff of the district or the
  province for theirs (their scope holds the unit). Submission recomputes the figures one last time,
  gives the document number and freezes them; a frozen report is not submitted twice.
- Accepting or returning: fund staff whose scope holds the unit, from a unit above it (the district
  or the province the report goes to, whichever tree). Returning needs a comment and unfreezes the
  figures for the next build.

Which units must submit a kind of report, and which did: `reports.selectors`.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.authority import Action, may, requires
from fund_portal.models import AdministrativeUnit, Role, User
from fund_portal.scope import units_in_reach
from reports.figures.compute import compute_figures
from reports.models import FROZEN_STATUSES, Cadence, Report, ReportKind, ReportStatus
from reports.selectors import (
    PREPARER_ROLE,
    accepted_figures,
    consolidation_completeness,
    report_kind_of,
    unit_owes,
    units_required,
)

logger = logging.getLogger(__name__)


# --- Checks --------------------------------------------------------------------------------------


def _is_system(by) -> bool:
    return by is None


def require_unit_in_scope(*, by, unit: AdministrativeUnit) -> None:
    """The unit is one the user may see; the system may see every unit."""
    if not units_in_reach(by, unit.pk):
        raise PermissionDenied(_("%(unit)s is outside your unit.") % {"unit": unit})


def _require_can_prepare(*, by, unit: AdministrativeUnit) -> None:
    if _is_system(by):
        return
    if not (by.is_superuser or by.role in (Role.COMMUNE_OFFICER, Role.DISTRICT_STAFF)):
        raise PermissionDenied(_("Your account cannot prepare reports."))
    require_unit_in_scope(by=by, unit=unit)


def _require_can_decide(*, by, report: Report) -> None:
    if by is None or not (by.is_superuser or by.role == Role.DISTRICT_STAFF):
        raise PermissionDenied(_("Only fund staff accept or return a report."))
    require_unit_in_scope(by=by, unit=report.unit)
    if not by.is_superuser and by.unit_id == report.unit_id:
        raise PermissionDenied(_("A report is accepted by the unit above the one that sent it."))


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError(
            _("The period ends (%(end)s) before it starts (%(start)s).")
            % {"start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")},
            code="period",
        )


def check_year(year: int) -> None:
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise ValidationError(
            _("%(year)s is not a year the portal reports on.") % {"year": year}, code="year"
        )


# --- Lookups ------------------------------------------------------------------------------------


def unit_by_code(*, code: str) -> AdministrativeUnit:
    unit = AdministrativeUnit.objects.filter(code=code).first()
    if unit is None:
        raise ValidationError(
            _("No administrative unit has the code “%(code)s”.") % {"code": code}, code="unit"
        )
    return unit


def report_kind_for(*, cadence: str, unit: AdministrativeUnit) -> ReportKind:
    """The active kind of report of this cadence that the unit owes (see `reports.selectors`)."""
    kind = report_kind_of(cadence=cadence, unit=unit)
    if kind is None:
        raise ValidationError(
            _("No %(cadence)s is due from a unit of level %(level)s.")
            % {
                "cadence": Cadence(cadence).label.lower() if cadence in Cadence.values else cadence,
                "level": unit.get_level_display().lower(),
            },
            code="kind",
        )
    return kind


# --- Building -----------------------------------------------------------------------------------


def _figures_for(report: Report) -> dict:
    accepted = accepted_figures(
        kind=report.kind, unit=report.unit, year=report.year, start=report.period_start, end=report.period_end
    )
    return compute_figures(
        unit=report.unit,
        start=report.period_start,
        end=report.period_end,
        year=report.year,
        accepted=accepted,
    )


def _locked(pk: int) -> Report:
    """The report with its kind and unit, its own row locked: not theirs, which every report of the
    kind or the unit shares (locking the kind made a deadline's builds on the worker pool wait for
    each other, one at a time)."""
    return Report.objects.select_for_update(of=("self",)).select_related("kind", "unit").get(pk=pk)


def _render(report: Report) -> None:
    from reports.documents.pdf import report_pdf

    pdf = report_pdf(report=report, completeness=consolidation_completeness(report))
    if report.pdf:
        report.pdf.delete(save=False)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    report.pdf.save(
        f"report-{report.unit.code}-{report.kind.code}-{report.year}-{stamp}.pdf",
        ContentFile(pdf),
        save=False,
    )


def report_pdf_read(*, report: Report, by) -> bytes:
    """The report's PDF for anyone who may read the report. A missing PDF is built and kept when the
    reader may prepare the report; for a read-only reader (an auditor) it is rendered and not kept."""
    if not report.pdf:
        if not may(by, Action.REPORT_PREPARE):
            from reports.documents.pdf import report_pdf

            return report_pdf(report=report, completeness=consolidation_completeness(report))
        report = report_build(kind=report.kind, unit=report.unit, year=report.year, by=by)
    with report.pdf.open("rb") as handle:
        return handle.read()


@requires(Action.REPORT_PREPARE)
def report_build(
    *, kind: ReportKind, unit: AdministrativeUnit, year: int, by: User | None = None, render: bool = True
) -> Report:
    """Build (or rebuild) the draft of a unit's report: figures, then the PDF. A frozen report keeps its
    figures (only a missing PDF is rendered again)."""
    _require_can_prepare(by=by, unit=unit)
    check_year(year)
    if unit.level != kind.submitter_level:
        raise ValidationError(
            _("%(kind)s is submitted by a unit of level %(level)s, not by %(unit)s.")
            % {"kind": kind, "level": kind.get_submitter_level_display().lower(), "unit": unit},
            code="level",
        )
    if not unit_owes(kind, unit):
        raise ValidationError(
            _("%(unit)s does not owe “%(kind)s”: other units do (see the reporting calendar).")
            % {"unit": unit, "kind": kind},
            code="kind",
        )
    start, end, due = kind.period(year)
    check_period(start, end)
    with transaction.atomic():
        report, _created = Report.objects.get_or_create(
            kind=kind,
            unit=unit,
            year=year,
            defaults={"period_start": start, "period_end": end, "due_on": due},
        )
        report = _locked(report.pk)
        if report.is_frozen:
            if render and not report.pdf:
                _render(report)
                report.save(update_fields=["pdf"])
            return report
        report.period_start, report.period_end, report.due_on = start, end, due
        report.figures = _figures_for(report)
        report.built_at = timezone.now()
        if render:
            _render(report)
        report.full_clean()
        report.save()
    return report


@requires(Action.REPORT_PREPARE)
def report_narrative_save(
    *, report: Report, by: User, results: str, difficulties: str, proposals: str
) -> Report:
    """The officer's text: results, difficulties, proposals (kết quả, khó khăn, kiến nghị)."""
    _require_can_prepare(by=by, unit=report.unit)
    with transaction.atomic():
        report = _locked(report.pk)
        if report.is_frozen:
            raise ValidationError(_("This report has been submitted: its content is frozen."), code="frozen")
        report.results, report.difficulties, report.proposals = (
            (results or "").strip(),
            (difficulties or "").strip(),
            (proposals or "").strip(),
        )
        report.full_clean()
        printed = report.pdf.name
        # The draft's PDF printed the text before this one: the next download prints this one
        # (`report_pdf_read` builds a missing PDF), not a file that leaves the officer's words out.
        report.pdf = ""
        report.save(update_fields=["results", "difficulties", "proposals", "pdf"])
        if printed:
            storage = report.pdf.storage
            transaction.on_commit(lambda: storage.delete(printed))
    return report


def _next_doc_number(report: Report) -> str:
    AdministrativeUnit.objects.select_for_update().filter(pk=report.unit_id).first()  # numbering lock
    year = timezone.localdate().year
    used = (
        Report.objects.filter(unit_id=report.unit_id, submitted_at__year=year).exclude(doc_number="").count()
    )
    number = used + 1
    while Report.objects.filter(unit_id=report.unit_id, doc_number=f"{number:02d}/BC-UBND").exists():
        number += 1
    return f"{number:02d}/BC-UBND"


@requires(Action.REPORT_PREPARE)
def report_submit(*, report: Report, by: User) -> Report:
    """Submit the report to the unit above: the figures are computed one last time and frozen."""
    _require_can_prepare(by=by, unit=report.unit)
    if not by.is_superuser and by.role != PREPARER_ROLE.get(report.unit.level):
        raise PermissionDenied(_("This report is submitted by the unit that prepares it."))
    with transaction.atomic():
        report = _locked(report.pk)
        if report.is_frozen:
            raise ValidationError(
                _("This report was already submitted on %(date)s; its figures are frozen.")
                % {"date": timezone.localtime(report.submitted_at).strftime("%d/%m/%Y")},
                code="frozen",
            )
        report.figures = _figures_for(report)
        report.built_at = report.submitted_at = timezone.now()
        report.submitted_by = by
        report.status = ReportStatus.SUBMITTED
        if not report.doc_number:
            report.doc_number = _next_doc_number(report)
        report.comment = ""
        _render(report)
        report.full_clean()
        report.save()
    return report


@requires(Action.REPORT_DECIDE)
def report_accept(*, report: Report, by: User) -> Report:
    """The district accepts a submitted report: it counts in the consolidation as it stands."""
    _require_can_decide(by=by, report=report)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted report can be accepted."), code="status")
        report.status, report.decided_at, report.decided_by = ReportStatus.ACCEPTED, timezone.now(), by
        report.save(update_fields=["status", "decided_at", "decided_by"])
    return report


@requires(Action.REPORT_DECIDE)
def report_return(*, report: Report, by: User, comment: str) -> Report:
    """The district returns a submitted report with a comment: the officer corrects and submits again."""
    _require_can_decide(by=by, report=report)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what must be corrected.")})
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status not in FROZEN_STATUSES:
            raise ValidationError(_("Only a submitted or accepted report can be returned."), code="status")
        report.status, report.comment = ReportStatus.RETURNED, comment
        report.decided_at, report.decided_by = timezone.now(), by
        report.save(update_fields=["status", "comment", "decided_at", "decided_by"])
    return report


# --- Email and the calendar -----------------------------------------------------------------------


def report_recipients(*, report: Report) -> list[str]:
    role = PREPARER_ROLE.get(report.unit.level, Role.DISTRICT_STAFF)
    return list(
        User.objects.filter(unit_id=report.unit_id, role=role, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def report_notify_officers(*, report_id: int) -> int:
    """Email the unit's officers that the draft is ready, with the PDF; once per report (emailed_at)."""
    with transaction.atomic():
        report = _locked(report_id)
        if report.emailed_at is not None:
            return 0
        addresses = report_recipients(report=report)
        if not addresses:
            return 0
        values = {
            "kind": report.kind.name,
            "year": report.year,
            "unit": report.unit.name,
            "due": report.due_on.strftime("%d/%m/%Y"),
            "url": settings.SITE_URL + reverse("reports:detail", kwargs={"pk": report.pk}),
        }
        message = EmailMessage(
            subject=_("Draft report ready: %(kind)s %(year)s — %(unit)s, due %(due)s") % values,
            body=_(
                "The draft of the %(kind)s %(year)s of %(unit)s is ready.\n"
                "Review its figures, write the results, difficulties and proposals, "
                "and submit it by %(due)s:\n"
                "%(url)s"
            )
            % values,
            to=addresses,
        )
        if report.pdf:
            from reports.documents.parts import report_filename

            with report.pdf.open("rb") as handle:
                message.attach(report_filename(report, "pdf"), handle.read(), "application/pdf")
        # Sent inside the transaction: if sending fails, emailed_at is not written and the task retries.
        message.send()
        report.emailed_at = timezone.now()
        report.save(update_fields=["emailed_at"])
    return len(addresses)


def reports_calendar_run(*, today: dt.date | None = None, enqueue=None) -> dict:
    """The daily step of the calendar: the drafts due soon are built for every unit that must submit
    (one task each, enqueued on commit), and reports still unsubmitted at their due date are marked.

    Idempotent: a unit whose report exists is not built again, and each report is marked once."""
    from reports.tasks import report_build_task

    today = today or timezone.localdate()
    enqueue = enqueue or (lambda **kwargs: report_build_task.delay(**kwargs))
    built, marked = [], 0
    now = timezone.now()
    with transaction.atomic():
        for kind in ReportKind.objects.filter(is_active=True):
            for year in (today.year, today.year + 1):
                _start, _end, due = kind.period(year)
                if today < due - dt.timedelta(days=kind.draft_lead_days) or year != today.year:
                    continue
                existing = set(Report.objects.filter(kind=kind, year=year).values_list("unit_id", flat=True))
                for unit_id in units_required(kind=kind).values_list("pk", flat=True):
                    if unit_id not in existing:
                        kwargs = {"kind_id": kind.pk, "unit_id": unit_id, "year": year}
                        transaction.on_commit(lambda kwargs=kwargs: enqueue(**kwargs))
                        built.append(kwargs)
                if today > due:
                    marked += Report.objects.filter(
                        Q(status=ReportStatus.DRAFT) | Q(status=ReportStatus.RETURNED),
                        kind=kind,
                        year=year,
                        missing_marked_at__isnull=True,
                    ).update(missing_marked_at=now)
    logger.info("Reports calendar %s: %s drafts to build, %s marked missing", today, len(built), marked)
    return {"built": built, "marked_missing": marked}


def report_build_and_notify(*, kind_id: int, unit_id: int, year: int) -> int:
    """What the task does: build the draft if there is none yet, then email the officers (once)."""
    kind = ReportKind.objects.get(pk=kind_id)
    unit = AdministrativeUnit.objects.get(pk=unit_id)
    report = Report.objects.filter(kind=kind, unit=unit, year=year).first()
    if report is None or report.built_at is None:
        report = report_build(kind=kind, unit=unit, year=year, by=None)
    return report_notify_officers(report_id=report.pk)
