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

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fund_portal.models import UnitLevel
from fund_portal.scope import ScopedModel


class Cadence(models.TextChoices):
    SEMIANNUAL = "semiannual", _("Six-month report")
    ANNUAL = "annual", _("Annual report")
    OTHER = "other", _("Other report")


def calendar_date(year: int, month: int, day: int) -> dt.date:
    """A day of the calendar in a given year; 29/02 becomes 28/02 in a common year."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


#: The levels that submit a report, and those a report can be consolidated by.
SUBMITTER_LEVELS = [
    (UnitLevel.COMMUNE.value, UnitLevel.COMMUNE.label),
    (UnitLevel.DISTRICT.value, UnitLevel.DISTRICT.label),
    (UnitLevel.PROVINCE.value, UnitLevel.PROVINCE.label),
]
CONSOLIDATOR_LEVELS = [
    (UnitLevel.DISTRICT.value, UnitLevel.DISTRICT.label),
    (UnitLevel.PROVINCE.value, UnitLevel.PROVINCE.label),
]


class ReportKind(ScopedModel):
    """A report the units of one level owe every year: its period, due date, who consolidates it (data).

    Scoped by its owner: a kind with no owner is the portal's (seen by fund staff, changed by an
    administrator only); a province's or a district's staff keep the kinds their unit owns."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, help_text=_("Shown as the report's subject."))
    cadence = models.CharField(_("cadence"), max_length=12, choices=Cadence.choices)
    submitter_level = models.CharField(
        _("submitted by units of level"), max_length=16, choices=SUBMITTER_LEVELS
    )
    consolidator_level = models.CharField(
        _("consolidated by units of level"),
        max_length=16,
        choices=CONSOLIDATOR_LEVELS,
        blank=True,
        help_text=_(
            "The level of the unit above that accepts the report and sums it into its own; "
            "empty for a report that leaves the portal (a province's report to the ministry)."
        ),
    )
    owner = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("owned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_kinds",
        help_text=_(
            "Only the units under this unit owe the report; empty: every unit of the level in the portal."
        ),
    )
    recipient = models.TextField(
        _("sent to"),
        help_text=_(
            "“Nơi nhận”, one body a line. {parent} is the unit the report is sent to, {province} "
            "the province. A unit's own addressing, where set, is used instead."
        ),
    )
    start_month = models.PositiveSmallIntegerField(_("period starts: month"))
    start_day = models.PositiveSmallIntegerField(_("period starts: day"))
    end_month = models.PositiveSmallIntegerField(_("period ends: month"))
    end_day = models.PositiveSmallIntegerField(_("period ends: day"))
    due_month = models.PositiveSmallIntegerField(_("due: month"))
    due_day = models.PositiveSmallIntegerField(_("due: day"))
    draft_lead_days = models.PositiveSmallIntegerField(
        _("draft built this many days before the due date"), default=7
    )
    is_active = models.BooleanField(_("active"), default=True)

    scope_lookup = "owner"

    class Meta:
        verbose_name = _("kind of report")
        verbose_name_plural = _("kinds of report (reporting calendar)")
        ordering = ["due_month", "due_day", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadence", "submitter_level", "consolidator_level"],
                condition=~Q(cadence="other") & Q(is_active=True, owner__isnull=True),
                name="report_kind_one_active_per_cadence_level",
                violation_error_message=_(
                    "There is already an active report of this cadence for these levels."
                ),
            ),
            models.UniqueConstraint(
                fields=["cadence", "submitter_level", "consolidator_level", "owner"],
                condition=~Q(cadence="other") & Q(is_active=True, owner__isnull=False),
                name="report_kind_one_active_per_owner",
                violation_error_message=_(
                    "There is already an active report of this cadence for these levels in this unit."
                ),
            ),
            models.CheckConstraint(
                condition=Q(submitter_level="commune", consolidator_level__in=["district", "province"])
                | Q(submitter_level="district", consolidator_level="province")
                | Q(submitter_level="province", consolidator_level=""),
                name="report_kind_consolidated_above",
                violation_error_message=_(
                    "A report is consolidated by a level above the one that submits it "
                    "(a province's report by none)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(start_month__range=(1, 12), end_month__range=(1, 12), due_month__range=(1, 12))
                & Q(start_day__range=(1, 31), end_day__range=(1, 31), due_day__range=(1, 31)),
                name="report_kind_days_and_months",
                violation_error_message=_("Months are 1 to 12 and days 1 to 31."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        for prefix in ("start", "end", "due"):
            month, day = getattr(self, f"{prefix}_month"), getattr(self, f"{prefix}_day")
            if (
                month
                and day
                and (not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2024, month)[1])
            ):
                errors[f"{prefix}_day"] = _("%(day)s/%(month)s is not a day of the year.") % {
                    "day": day,
                    "month": month,
                }
        if not errors and (self.end_month, self.end_day) < (self.start_month, self.start_day):
            errors["end_day"] = _("The period ends before it starts.")
        if not errors and (self.due_month, self.due_day) < (self.end_month, self.end_day):
            errors["due_day"] = _("The report is due before its period ends.")
        if errors:
            raise ValidationError(errors)

    def period(self, year: int) -> tuple[dt.date, dt.date, dt.date]:
        """(first day, last day, due date) of the report for `year`."""
        return (
            calendar_date(year, self.start_month, self.start_day),
            calendar_date(year, self.end_month, self.end_day),
            calendar_date(year, self.due_month, self.due_day),
        )


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for correction")


#: A report in these states has frozen figures: only the decision of the unit above changes it.
FROZEN_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


class Timeliness(models.TextChoices):
    """Where a report stands against its due date (derived, never stored)."""

    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    MISSING = "missing", _("Missing")
    NOT_DUE = "not_due", _("Not yet due")


class Report(ScopedModel):
    """One unit's report of one kind for one year: figures (JSON), the officer's narrative, the PDF."""

    kind = models.ForeignKey(
        ReportKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True, editable=False)
    results = models.TextField(_("results"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    doc_number = models.CharField(_("document number"), max_length=40, blank=True, editable=False)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/", blank=True, editable=False)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("comment of the unit above"), blank=True, editable=False)
    emailed_at = models.DateTimeField(_("officers emailed at"), null=True, blank=True, editable=False)
    missing_marked_at = models.DateTimeField(_("marked missing at"), null=True, blank=True, editable=False)

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-year", "-due_on", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "unit", "year"], name="report_once_per_kind_unit_year"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="report_period_ends_after_start",
                violation_error_message=_("The period ends before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["submitted", "accepted"]) | Q(submitted_at__isnull=False),
                name="report_submitted_has_date",
            ),
            models.UniqueConstraint(
                fields=["unit", "doc_number"], condition=~Q(doc_number=""), name="report_doc_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["kind", "year", "status"], name="report_kind_year_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year} — {self.unit}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("reports:detail", kwargs={"pk": self.pk})

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    def timeliness(self, today: dt.date | None = None) -> str:
        return timeliness_of(
            status=self.status, submitted_at=self.submitted_at, due_on=self.due_on, today=today
        )


def timeliness_of(*, status: str | None, submitted_at, due_on: dt.date, today: dt.date | None = None) -> str:
    """On time if submitted (and not returned) by the due date, late if after it; else missing once due."""
    today = today or timezone.localdate()
    if status in FROZEN_STATUSES and submitted_at is not None:
        return Timeliness.ON_TIME if timezone.localdate(submitted_at) <= due_on else Timeliness.LATE
    return Timeliness.MISSING if today > due_on else Timeliness.NOT_DUE


class ReportAddressing(ScopedModel):
    """Who a unit's reports are addressed to, which body issues them and who signs them (Decree
    30/2020/NĐ-CP), as data: the bodies changed in 2025 and will change again.

    A row applies to its unit and every unit under it, for one kind of report or (kind empty) every
    kind. Each field of a report's addressing comes from the nearest row up the tree that fills it, a
    row for the report's kind before a row for every kind at the same unit: the province writes the
    recipients once for all its communes, each commune its own signer. What no row fills falls back
    to the kind's "sent to", the People's Committee of the unit, and the unit's signer.
    """

    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="report_addressings",
        help_text=_("Applies to this unit's reports and to those of every unit under it."),
    )
    kind = models.ForeignKey(
        ReportKind,
        verbose_name=_("kind"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="addressings",
        help_text=_("Empty: every kind of report."),
    )
    recipients = models.TextField(
        _("sent to"),
        blank=True,
        help_text=_("“Nơi nhận”, one body a line; {parent}, {province} and {unit} are replaced by names."),
    )
    issuer_parent = models.CharField(
        _("body above the issuer"),
        max_length=200,
        blank=True,
        help_text=_("Printed above the issuing body, e.g. Ủy ban nhân dân tỉnh Thanh Hóa above Sở Y tế."),
    )
    issuer = models.CharField(
        _("issuing body"),
        max_length=200,
        blank=True,
        help_text=_("Empty: the People's Committee of the unit, e.g. Ủy ban nhân dân {unit}."),
    )
    signer_authority = models.CharField(
        _("signing on behalf of"),
        max_length=120,
        blank=True,
        help_text=_("E.g. TM. Ủy ban nhân dân, or KT. Giám đốc."),
    )
    signer_title = models.CharField(_("signer's position"), max_length=120, blank=True)
    signer_name = models.CharField(_("signer"), max_length=120, blank=True)

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("report addressing")
        verbose_name_plural = _("report addressing (recipients, issuer, signer)")
        ordering = ["unit__path", "kind__code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind"], name="report_addressing_once_per_unit_kind"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(kind__isnull=True), name="report_addressing_once_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.kind or _('every kind')}"
