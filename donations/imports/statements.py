"""Reading a bank statement file (XLSX or CSV): its incoming lines, each with the identity that
recognises the same transfer in a later statement. Matching and posting the lines is
`donations.services.statements`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fund_portal.money_parse import parse_vnd
from fund_portal.spreadsheets import cell_date, column_map, open_sheet
from fund_portal.text import normalize_text

from ..models import BankAccount
from ..services.checks import _require_not_future

#: Header names of the statement template first, then names banks use in their exports.
COLUMNS = {
    "booked_on": ("Ngày giao dịch", "Ngày", "Ngày hạch toán", "Transaction date", "Date"),
    "amount": ("Số tiền", "Số tiền ghi có", "Ghi có", "Credit", "Amount"),
    "description": ("Nội dung", "Nội dung chuyển khoản", "Diễn giải", "Mô tả", "Description"),
    "bank_ref": ("Mã giao dịch", "Số tham chiếu", "Số bút toán", "Reference"),
}


@dataclass
class ParsedLine:
    row: int
    booked_on: object
    amount: int
    description: str
    bank_ref: str

    def key(self, account: BankAccount) -> str:
        raw = "|".join(
            [
                account.bank_bin,
                account.account_number,
                self.booked_on.isoformat(),
                str(self.amount),
                self.description,
                self.bank_ref,
            ]
        )
        return hashlib.sha256(raw.encode()).hexdigest()

    def identity(self, account: BankAccount) -> tuple[str, str]:
        """What makes this transfer the same as one already stored: the bank's number, else the key."""
        return ("ref", self.bank_ref) if self.bank_ref else ("key", self.key(account))


def bank_ref_key(value) -> str:
    """A bank's transaction number as stored and compared: without spaces, upper case (FT26111ABC)."""
    return "".join(normalize_text(str(value or "")).split()).upper()[:64]


def statement_parse(uploaded, *, name: str = "") -> list[ParsedLine]:
    """Every incoming line of a statement file, or a ValidationError listing each bad row."""
    sheet = open_sheet(uploaded, name=name)
    columns = column_map(sheet.headers, COLUMNS, required={"booked_on", "amount", "description"})
    lines, errors = [], []
    for row_number, cells in sheet.rows:

        def cell(field, cells=cells):
            index = columns.get(field)
            return cells[index] if index is not None and index < len(cells) else ""

        raw_amount = cell("amount")
        if raw_amount in ("", None) or str(raw_amount).strip() in ("", "0"):
            continue  # a debit line, or a line with no credit: not a donation
        try:
            amount = parse_vnd(raw_amount)
            booked_on = _require_not_future(cell_date(cell("booked_on")), "booked_on")
        except ValidationError as error:
            errors.append(
                _("Row %(row)s: %(error)s") % {"row": row_number, "error": " ".join(error.messages)}
            )
            continue
        lines.append(
            ParsedLine(
                row_number,
                booked_on,
                amount,
                normalize_text(str(cell("description") or "")),
                bank_ref_key(cell("bank_ref")),
            )
        )
    if errors:
        raise ValidationError(errors, code="bad_rows")
    return lines
