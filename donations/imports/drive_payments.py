"""A drive's payments from a spreadsheet, agency by agency, posted with receipts; all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.money_parse import parse_vnd
from fund_portal.spreadsheets import cell_date, column_map, open_sheet
from fund_portal.text import fold, normalize_text

from ..models import Donation, DonationKind, SalaryDrive
from ..services.checks import _require_not_future
from ..services.donations import donation_create, donation_post

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
