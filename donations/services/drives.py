"""The yearly one-day-salary drive: the agencies asked to give, and what is expected of each."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires

from ..models import Donation, Donor, DonorKind, DriveAgency, SalaryDrive
from .checks import _require_amount


@requires(Action.DRIVE_MANAGE)
def drive_agency_add(
    *,
    drive: SalaryDrive,
    agency: Donor,
    headcount: int,
    expected_amount: int | None = None,
    daily_salary: int | None = None,
    by=None,
) -> DriveAgency:
    """Ask an agency to give: expected is given, or its headcount times one day's salary."""
    drive_agency_check(agency=agency)
    if expected_amount is None:
        if not daily_salary:
            raise ValidationError(_("Give the expected amount or the average daily salary."))
        expected_amount = headcount * _require_amount(daily_salary)
    row = DriveAgency(drive=drive, agency=agency, headcount=headcount, expected_amount=expected_amount)
    row.full_clean()
    row.save()
    return row


def drive_agency_check(*, agency: Donor, row: DriveAgency | None = None) -> None:
    """The rules of an agency in a drive, new or changed (`row`): it is an agency, and once it has
    paid in the drive it stays the same agency (a drive payment comes from the agency itself)."""
    if agency.kind != DonorKind.AGENCY:
        raise ValidationError({"agency": _("%(donor)s is not an agency.") % {"donor": agency}})
    if (
        row is not None
        and row.pk is not None
        and Donation.objects.filter(drive_agency_id=row.pk).exclude(donor_id=agency.pk).exists()
    ):
        raise ValidationError(
            {"agency": _("This agency has already paid in the drive; it cannot be replaced by another.")}
        )


@requires(Action.DRIVE_MANAGE)
def drive_agency_update(
    *, row: DriveAgency, agency: Donor, headcount: int, expected_amount: int, by=None
) -> DriveAgency:
    """Correct an agency's line in a drive (headcount, what is expected) through the same rules."""
    with transaction.atomic():
        stored = DriveAgency.objects.select_for_update().get(pk=row.pk)
        drive_agency_check(agency=agency, row=stored)
        stored.agency, stored.headcount, stored.expected_amount = agency, headcount, expected_amount
        stored.full_clean()
        stored.save()
    return stored
