"""Pledges paid in instalments, and the yearly one-day-salary drive collected agency by agency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.money_parse import parse_vnd
from fund_portal.spreadsheets import cell_date, column_map, open_sheet
from fund_portal.text import fold, normalize_text

from .models import Donation, DonationKind, DonationStatus, Donor, DonorKind, DriveAgency, Pledge, SalaryDrive
from .services import (
    _require_amount,
    _require_not_future,
    donation_create,
    donation_post,
    edit_apply,
    today,
)


@requires(Action.DRIVE_MANAGE)
def pledge_create(
    *,
    fund,
    donor: Donor,
    amount: int,
    pledged_on: dt.date,
    by,
    due_by: dt.date | None = None,
    campaign=None,
    note: str = "",
) -> Pledge:
    """Record a donor's promise; instalments are donations linked to it."""
    pledge = Pledge(
        fund=fund,
        donor=donor,
        amount=amount,
        pledged_on=pledged_on,
        due_by=due_by,
        campaign=campaign,
        note=note,
        created_by=by,
    )
    pledge_check(pledge=pledge)
    pledge.full_clean()
    pledge.save()
    return pledge


#: What an edit of a pledge may change; its maker and dates of entry stay.
PLEDGE_UPDATABLE_FIELDS = ("fund", "donor", "amount", "pledged_on", "due_by", "campaign", "note")


def pledge_check(*, pledge: Pledge) -> None:
    """The rules of a pledge, new or changed: a positive whole amount, a date not in the future, and,
    once instalments were paid against it, the same fund and donor as those instalments (an
    instalment belongs to its pledge's fund and donor, see `donation_check`)."""
    _require_amount(pledge.amount)
    _require_not_future(pledge.pledged_on, "pledged_on")
    if pledge.pk is None:
        return
    instalments = Donation.objects.filter(pledge_id=pledge.pk)
    if instalments.exclude(fund_id=pledge.fund_id).exists():
        raise ValidationError({"fund": _("Instalments of this pledge were paid to another fund.")})
    if instalments.exclude(donor_id=pledge.donor_id).exists():
        raise ValidationError({"donor": _("Instalments of this pledge were paid by another donor.")})


@requires(Action.DRIVE_MANAGE)
def pledge_update(*, pledge: Pledge, by, **fields) -> Pledge:
    """Change a pledge through the same rules as a new one; whoever changes it is recorded.

    A save that changes nothing writes nothing and records no editor."""
    unknown = set(fields) - set(PLEDGE_UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"pledge_update cannot change {sorted(unknown)}")
    with transaction.atomic():
        stored = Pledge.objects.select_for_update().get(pk=pledge.pk)
        edit_apply(stored, fields, by=by, check=lambda p: pledge_check(pledge=p))
    return stored


def pledge_progress(*, pledge: Pledge) -> dict:
    """Paid so far (posted instalments), what is left, and whether it is overdue."""
    paid = pledge.instalments.filter(status=DonationStatus.POSTED).aggregate(s=Sum("amount"))["s"] or 0
    left = max(pledge.amount - paid, 0)
    return {
        "paid": paid,
        "left": left,
        "fulfilled": left == 0,
        "overdue": bool(left and pledge.due_by and pledge.due_by < today()),
    }


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


def drive_collection(*, drive: SalaryDrive) -> dict:
    """Each agency's expected and paid amounts and rate; the drive's totals and who has not paid yet."""
    rows = list(
        drive.agencies.select_related("agency").annotate(
            paid=Sum("payments__amount", filter=Q(payments__status=DonationStatus.POSTED))
        )
    )
    agencies = []
    for row in rows:
        paid = row.paid or 0
        rate = round(100 * paid / row.expected_amount, 1) if row.expected_amount else None
        agencies.append(
            {
                "row": row,
                "agency": row.agency,
                "headcount": row.headcount,
                "expected": row.expected_amount,
                "paid": paid,
                "rate": rate,
            }
        )
    expected = sum(a["expected"] for a in agencies)
    paid = sum(a["paid"] for a in agencies)
    return {
        "agencies": agencies,
        "expected": expected,
        "paid": paid,
        "rate": round(100 * paid / expected, 1) if expected else None,
        "unpaid": [a for a in agencies if a["paid"] == 0],
        "headcount": sum(a["headcount"] for a in agencies),
    }


PAYMENT_COLUMNS = {
    "agency": ("Cơ quan", "Đơn vị", "Cơ quan, đơn vị", "Agency"),
    "tax_code": ("Mã số thuế", "Tax code"),
    "amount": ("Số tiền", "Amount"),
    "paid_on": ("Ngày nộp", "Ngày", "Date"),
    "key": ("Mã chứng từ", "Document id"),
}


@dataclass
class PaymentsImport:
    rows: int = 0
    total: int = 0
    errors: list[str] = field(default_factory=list)
    donations: list[Donation] = field(default_factory=list)


@requires(Action.DRIVE_MANAGE)
def drive_payments_import(
    *, drive: SalaryDrive, uploaded, by, name: str = "", dry_run: bool = False
) -> PaymentsImport:
    """Payments of a drive's agencies from a spreadsheet, posted with receipts; all or nothing."""
    sheet = open_sheet(uploaded, name=name)
    columns = column_map(sheet.headers, PAYMENT_COLUMNS, required={"agency", "amount", "paid_on", "key"})
    agencies = list(drive.agencies.select_related("agency"))
    by_tax = {a.agency.tax_code: a for a in agencies if a.agency.tax_code}
    by_name = {fold(a.agency.name): a for a in agencies}
    known_keys = set(
        Donation.objects.filter(fund=drive.fund, import_key__isnull=False).values_list(
            "import_key", flat=True
        )
    )
    result, parsed, seen = PaymentsImport(), [], {}
    for row_number, cells in sheet.rows:

        def cell(name, cells=cells):
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        problems = []
        target = by_tax.get(normalize_text(str(cell("tax_code") or ""))) or by_name.get(
            fold(str(cell("agency")))
        )
        if target is None:
            problems.append(
                _("the agency “%(name)s” is not in this drive")
                % {"name": normalize_text(str(cell("agency")))}
            )
        try:
            amount = parse_vnd(cell("amount"))
        except ValidationError as error:
            problems += error.messages
        try:
            paid_on = _require_not_future(cell_date(cell("paid_on")), "paid_on")
        except ValidationError as error:
            problems += error.messages
        key = normalize_text(str(cell("key") or ""))
        if not key:
            problems.append(_("the document id is missing"))
        elif key in seen:
            problems.append(
                _("the document id %(key)s is also on row %(row)s") % {"key": key, "row": seen[key]}
            )
        elif key in known_keys:
            problems.append(_("the document id %(key)s was imported before") % {"key": key})
        seen.setdefault(key, row_number)
        if problems:
            result.errors.append(
                _("Row %(row)s: %(error)s") % {"row": row_number, "error": "; ".join(problems)}
            )
            continue
        parsed.append((target, amount, paid_on, key))
    if result.errors:
        raise ValidationError(result.errors, code="bad_rows")
    result.rows, result.total = len(parsed), sum(p[1] for p in parsed)
    if dry_run:
        return result
    with transaction.atomic():
        for target, amount, paid_on, key in parsed:
            donation = donation_create(
                fund=drive.fund,
                amount=amount,
                received_on=paid_on,
                kind=DonationKind.TRANSFER,
                donor=target.agency,
                drive_agency=target,
                campaign=drive.campaign,
                by=by,
            )
            Donation.objects.filter(pk=donation.pk).update(import_key=key)
            result.donations.append(donation_post(donation=donation, by=by))
    return result


def drive_payments_template(*, drive: SalaryDrive) -> bytes:
    """The empty payments template of a drive, listing its agencies so each row only needs the amount."""
    from fund_portal.exports import xlsx_bytes

    headers = [names[0] for names in PAYMENT_COLUMNS.values()]
    rows = [[a.agency.name, a.agency.tax_code, "", "", ""] for a in drive.agencies.select_related("agency")]
    return xlsx_bytes(title=str(drive.year), headers=headers, rows=rows)
