"""The yearly one-day-salary drives and the agencies asked to give in them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import optional_link
from fund_portal.scope import ScopedModel

from .donors import Donor
from .funds import Fund


class SalaryDrive(ScopedModel):
    """The yearly one-day-salary drive (01 ngày lương/người/năm), collected agency by agency."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="salary_drives"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    campaign = optional_link("campaigns.Campaign", _("campaign"), related_name="salary_drives")

    scope_lookup = "fund__unit"

    class Meta:
        verbose_name = _("one-day-salary drive")
        verbose_name_plural = _("one-day-salary drives")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["fund", "year"], name="salary_drive_once_a_year")]

    def __str__(self) -> str:
        return self.name


class DriveAgency(ScopedModel):
    """An agency asked to give in a drive: its headcount and what is expected; its donations are what came."""

    drive = models.ForeignKey(
        SalaryDrive, verbose_name=_("drive"), on_delete=models.PROTECT, related_name="agencies"
    )
    agency = models.ForeignKey(
        Donor, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="drives"
    )
    headcount = models.PositiveIntegerField(_("civil servants and workers"))
    expected_amount = models.BigIntegerField(_("expected (đồng)"))

    scope_lookup = "drive__fund__unit"

    class Meta:
        verbose_name = _("agency in the drive")
        verbose_name_plural = _("agencies in the drive")
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["drive", "agency"], name="drive_agency_once"),
            models.CheckConstraint(condition=Q(expected_amount__gte=0), name="drive_expected_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} ({self.drive.year})"
