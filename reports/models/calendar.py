"""The reporting calendar as data: the kinds of report, when they are due, who submits and who consolidates
them, and who they are addressed to and signed by (see the package's docstring)."""

from __future__ import annotations

import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import optional_link
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
    owner = optional_link(
        "fund_portal.AdministrativeUnit",
        _("owned by"),
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
        """The name and who sends it to whom, so that the kinds of the two trees (the same name, the
        same dates) are told apart in lists: "Báo cáo năm … (xã → tỉnh)"."""
        chain = self.get_submitter_level_display().lower()
        if self.consolidator_level:
            chain += f" → {self.get_consolidator_level_display().lower()}"
        return f"{self.name} ({chain})"

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
