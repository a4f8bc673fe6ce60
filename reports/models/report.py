"""Each unit's report of one kind for one year, its status and its timeliness."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field
from fund_portal.scope import ScopedModel

from .calendar import ReportKind


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
    submitted_by = account_field(_("submitted by"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decided_by = account_field(_("decided by"), null=True, blank=True, editable=False)
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
        return f"{self.kind.name} {self.year} — {self.unit}"

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
