"""The periodic reports (chế độ báo cáo): a calendar that is data, and each unit's report for a year.

Decisions (see also reports/services.py, reports/selectors.py and reports/figures/):

- A `ReportKind` is one line of the reporting calendar: the period it covers, its due date and
  how many days before it the draft is built, the level of the units that submit it and who
  receives it. The defaults (commune 6-month report 01/01–15/05 due 20/05, annual 01/01–10/11 due
  15/11, the district's consolidated versions due 25/05 and 20/11 to the province) are seeded by
  a data migration; staff change them and add others (10/7 to the Fatherland Front...) in the admin.
- A `Report` is one unit's report of one kind for one year: unique (kind, unit, year). Its
  figures are JSON computed by SQL aggregates; they are frozen when the officer submits it and
  unfrozen only when the district returns it.
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


class ReportKind(models.Model):
    """A report the units of one level owe every year: its period, due date and recipient (data)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, help_text=_("Shown as the report's subject."))
    cadence = models.CharField(_("cadence"), max_length=12, choices=Cadence.choices)
    submitter_level = models.CharField(
        _("submitted by units of level"),
        max_length=16,
        choices=[
            (UnitLevel.COMMUNE.value, UnitLevel.COMMUNE.label),
            (UnitLevel.DISTRICT.value, UnitLevel.DISTRICT.label),
        ],
    )
    recipient = models.CharField(_("sent to"), max_length=200)
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

    class Meta:
        verbose_name = _("kind of report")
        verbose_name_plural = _("kinds of report (reporting calendar)")
        ordering = ["due_month", "due_day", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadence", "submitter_level"],
                condition=~Q(cadence="other") & Q(is_active=True),
                name="report_kind_one_active_per_cadence_level",
                violation_error_message=_(
                    "There is already an active report of this cadence for this level."
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


#: A report in these states has frozen figures: only the district's decision changes it.
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
    comment = models.TextField(_("district's comment"), blank=True, editable=False)
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
