"""Reading a bank statement file as the bank exports it (CSV, XLSX or XLS): its incoming lines, each
with the identity that recognises the same transfer in a later statement. Matching and posting the
lines is `donations.services.statements`.

A bank's export has a preamble (bank, title, account number and name, currency, period, opening
balance) above its table and totals and the closing balance below it. The table's header row is
found by its column names (`statement_layouts`), the account number is read from the preamble, and
only transactions are read: summary rows and rows without a date are skipped, money-out lines are
read but left out of the result (the lines returned are the incoming transfers).

A layout no bank's names describe is refused with the code `unknown_layout` (or `no_credit_column`),
unless staff said once how to read it for that account (`StatementLayoutMapping`, written by
`donations.services.statement_mappings`): its header row, found again by its folded cells, and the
position of each field's column.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fund_portal.money_parse import parse_vnd
from fund_portal.spreadsheets import cell_date, open_rows
from fund_portal.text import fold, normalize_text

from ..models import BankAccount, StatementLayoutMapping
from ..services.checks import _require_not_future
from .statement_layouts import LAYOUTS, SUMMARY_WORDS, TEMPLATE, Layout

#: The table's header row is looked for in this many rows from the top.
HEADER_SEARCH_ROWS = 30
#: The rows shown to staff to map a layout by hand.
PREVIEW_ROWS = 12
_ACCOUNT_DIGITS = re.compile(r"\d[\d .-]{4,}\d")
_CURRENCY = re.compile(r"\b(VND|VNĐ|USD|EUR)\b", re.IGNORECASE)
#: A decimal part of zeros after the last separator ("1250000.00", "1,250,000.00", "1.250.000,00").
_ZERO_DECIMALS = re.compile(r"[.,]0{1,2}\Z")
_NO_AMOUNT = {"", "-", "0"}
_SUMMARY = tuple(fold(words) for words in SUMMARY_WORDS)
#: The codes of a refusal that a mapping by hand can answer: a table whose layout no bank names.
UNKNOWN_LAYOUT = "unknown_layout"
LAYOUT_UNKNOWN_CODES = frozenset({UNKNOWN_LAYOUT, "no_credit_column"})
#: A table has at least a date, an amount and a description: a row with fewer filled cells is no header.
MIN_HEADER_CELLS = 3
#: The layout of a file read by an account's mapping (no bank's words; the shared preamble labels).
MAPPED = Layout(bank="", bin="", booked_on=(), description=())


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


@dataclass
class StatementFile:
    """What a statement file says: whose export it is, of which account, and its incoming lines."""

    layout: Layout
    header_row: int
    account_number: str = ""
    currency: str = ""
    period: str = ""
    lines: list[ParsedLine] = field(default_factory=list)
    #: Rows read as transactions that are money out, or without an amount (kept out of `lines`).
    outgoing_rows: list[int] = field(default_factory=list)


def bank_ref_key(value) -> str:
    """A bank's transaction number as stored and compared: without spaces, upper case (FT26111ABC).

    A number cell keeps its str() ("123456.0"), as lines stored before were keyed: written otherwise,
    an earlier statement imported again would not be recognised.
    """
    return "".join(normalize_text(str(value or "")).split()).upper()[:64]


def statement_parse(uploaded, *, name: str = "", bank_account: BankAccount) -> list[ParsedLine]:
    """Every incoming line of a statement of bank_account, or a ValidationError saying what is wrong."""
    return statement_read(uploaded, name=name, bank_account=bank_account).lines


def statement_read(uploaded, *, name: str = "", bank_account: BankAccount) -> StatementFile:
    """The statement file read whole; a ValidationError for another account's file or bad rows."""
    rows = open_rows(uploaded, name=name)
    header_at, layout, columns = _find_table(rows, bank_account)
    statement = StatementFile(layout=layout, header_row=rows[header_at][0])
    _read_preamble(statement, rows[:header_at])
    _check_account(statement, bank_account)
    _check_bank(rows[:header_at], bank_account)
    errors = []
    refs: dict[str, int] = {}
    for row_number, cells in rows[header_at + 1 :]:
        try:
            line = _read_line(row_number, cells, columns)
        except ValidationError as error:
            message = _("Row %(row)s: %(error)s") % {"row": row_number, "error": " ".join(error.messages)}
            errors.append(ValidationError(message, code=getattr(error, "code", None) or "bad_row"))
            continue
        if line is None:
            continue
        if line.amount <= 0:
            statement.outgoing_rows.append(row_number)
            continue
        if line.bank_ref and line.bank_ref in refs:
            message = _(
                "Row %(row)s: bank transaction %(ref)s is listed twice (rows %(first)s and %(row)s)."
            ) % {
                "row": row_number,
                "ref": line.bank_ref,
                "first": refs[line.bank_ref],
            }
            errors.append(ValidationError(message, code="duplicate_ref"))
            continue
        if line.bank_ref:
            refs[line.bank_ref] = row_number
        statement.lines.append(line)
    if errors:
        raise ValidationError(errors)
    if not statement.lines and not statement.outgoing_rows:
        raise ValidationError(
            _("The statement's table (from row %(row)s) has no transaction.") % {"row": statement.header_row},
            code="empty_table",
        )
    return statement


@dataclass
class PreviewRow:
    """A row of a file shown to staff: its number, its cells as read and as shown."""

    number: int
    cells: list
    shown: list[str]


def statement_preview(uploaded, *, name: str = "") -> list[PreviewRow]:
    """The first rows of a file, for staff to say which row is the header and which column is what:
    PREVIEW_ROWS rows from the top, or from just above the first row that looks like a table's."""
    rows = open_rows(uploaded, name=name)[:HEADER_SEARCH_ROWS]
    first = next((i for i, (_n, cells) in enumerate(rows) if _filled(cells) >= MIN_HEADER_CELLS), 0)
    # From the top when the header and two rows below it fit, else from two rows above the header.
    shown = rows[0 if first <= PREVIEW_ROWS - 3 else first - 2 :][:PREVIEW_ROWS]
    width = max((len(header_cells(cells)) for _n, cells in shown), default=0)
    return [
        PreviewRow(number, cells, [_shown(cell) for cell in (cells + [""] * width)[:width]])
        for number, cells in shown
    ]


def _filled(cells: list) -> int:
    return sum(1 for cell in cells if _text(cell).strip())


def _shown(value) -> str:
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    if isinstance(value, dt.date | dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M" if isinstance(value, dt.datetime) else "%d/%m/%Y")
    return normalize_text(_text(value))


def _text(value) -> str:
    """A cell as text; a whole number stored as a float (an account number in Excel) without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def column_letter(index: int) -> str:
    """A column's name as a spreadsheet shows it: 0 is A, 25 is Z, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def header_cells(cells: list) -> list[str]:
    """A header row as a mapping keeps it and finds it again: each cell folded, trailing empty cells cut."""
    folded = [fold(_text(cell)) for cell in cells]
    while folded and not folded[-1]:
        folded.pop()
    return folded


def layout_unknown(error: ValidationError) -> bool:
    """Whether a refusal of `statement_read` is only that no bank's layout describes the file's table."""
    return any(getattr(item, "code", None) in LAYOUT_UNKNOWN_CODES for item in error.error_list)


def _find_table(rows: list[tuple[int, list]], bank_account: BankAccount) -> tuple[int, Layout, dict]:
    """The table's header row, layout and columns: by a bank's layout, else by the account's mapping."""
    try:
        return _find_header(rows)
    except ValidationError as error:
        if not layout_unknown(error):
            raise
        found = _find_mapped_header(rows, bank_account)
        if found is None:
            raise
        return found


def _find_mapped_header(rows: list[tuple[int, list]], bank_account: BankAccount):
    """The header row the account's mapping names, found among the first rows by its folded cells."""
    mapping = StatementLayoutMapping.objects.filter(bank_account=bank_account).first()
    if mapping is None or not mapping.header:
        return None
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if header_cells(cells) == mapping.header:
            return index, MAPPED, {name: int(at) for name, at in mapping.columns.items()}
    return None


def _find_header(rows: list[tuple[int, list]]) -> tuple[int, Layout, dict[str, int]]:
    """The table's header row (its index in rows), the layout it matches and its columns.

    Several banks name their columns alike: the layout that finds the most columns is taken, and
    of those the one whose bank the preamble names.
    """
    for index, (row_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        folded = [fold(_text(cell)) for cell in cells]
        candidates, without_credit = [], False
        for order, layout in enumerate((*LAYOUTS, TEMPLATE)):
            columns = _columns(folded, layout)
            if "booked_on" not in columns or "description" not in columns:
                continue
            if "credit" in columns or "amount" in columns:
                candidates.append((len(columns), _named(layout, rows[:index]), -order, layout, columns))
            else:
                without_credit = True
        if candidates:
            *_score, layout, columns = max(candidates, key=lambda candidate: candidate[:3])
            return index, layout, columns
        if without_credit:
            raise ValidationError(
                _(
                    "Row %(row)s is the statement's header but has no column of money in "
                    "(Số tiền ghi có, Ghi có or a signed Số tiền); it cannot be read."
                )
                % {"row": row_number},
                code="no_credit_column",
            )
    a_table = any(_filled(cells) >= MIN_HEADER_CELLS for _number, cells in rows[:HEADER_SEARCH_ROWS])
    raise ValidationError(
        _(
            "No statement table was found in the first %(rows)s rows: a header row with the columns "
            "Ngày giao dịch, Số tiền ghi có (or Số tiền) and Nội dung is needed."
        )
        % {"rows": HEADER_SEARCH_ROWS},
        code=UNKNOWN_LAYOUT if a_table else "columns",
    )


def _named(layout: Layout, preamble: list[tuple[int, list]]) -> bool:
    """Whether the preamble names the layout's bank."""
    words = " ".join(fold(_text(cell)) for _number, cells in preamble for cell in cells)
    return any(re.search(rf"\b{re.escape(fold(marker))}\b", words) for marker in layout.markers)


def _columns(folded: list[str], layout: Layout) -> dict[str, int]:
    """Which cell of a folded header row holds each of the layout's fields."""
    found = {}
    for name, aliases in layout.columns().items():
        for alias in aliases:
            if (target := fold(alias)) in folded and folded.index(target) not in found.values():
                found[name] = folded.index(target)
                break
    if "credit" in found and "amount" in found:
        del found["amount"]  # credit and debit apart: a "Số tiền" beside them is not the signed amount
    return found


def _read_preamble(statement: StatementFile, rows: list[tuple[int, list]]) -> None:
    """The account number, currency and period written above the table, where they are."""
    layout = statement.layout
    for _row_number, cells in rows:
        texts = [normalize_text(_text(cell)) for cell in cells]
        for index, text in enumerate(texts):
            value = " ".join(t for t in texts[index:] if t)
            folded = fold(text)
            if not statement.account_number and _labelled(folded, layout.account_labels):
                if match := _ACCOUNT_DIGITS.search(value):
                    statement.account_number = re.sub(r"\D", "", match.group())
            if not statement.currency and _labelled(folded, layout.currency_labels):
                if match := _CURRENCY.search(value):
                    statement.currency = match.group().upper().replace("Đ", "D")
            if not statement.period and _labelled(folded, layout.period_labels):
                statement.period = value


def _labelled(folded: str, labels: tuple[str, ...]) -> bool:
    return any(folded.startswith(fold(label)) for label in labels)


def _check_account(statement: StatementFile, bank_account: BankAccount) -> None:
    """Refuse the statement of another account, or of an account in another currency."""
    # Compared without leading zeros: an account number typed into a number cell loses them.
    chosen = re.sub(r"\D", "", bank_account.account_number).lstrip("0")
    if statement.account_number and statement.account_number.lstrip("0") != chosen:
        raise ValidationError(
            _("This file is the statement of account %(file)s, not of the chosen account %(chosen)s.")
            % {"file": statement.account_number, "chosen": bank_account.account_number},
            code="other_account",
        )
    if statement.currency and statement.currency != "VND":
        raise ValidationError(
            _("This statement is in %(currency)s; only statements in đồng (VND) can be imported.")
            % {"currency": statement.currency},
            code="currency",
        )


def _check_bank(preamble: list[tuple[int, list]], bank_account: BankAccount) -> None:
    """Refuse the statement whose preamble names one bank, a known one, other than the account's (by
    its BIN): with no account number above the table, the bank's name still tells a wrong file."""
    known = {layout.bin: layout for layout in LAYOUTS}
    if bank_account.bank_bin not in known:
        return  # a bank (or a credit fund) we have no layout of: its name is not ours to check
    named = [layout for layout in LAYOUTS if _named(layout, preamble)]
    if len(named) == 1 and named[0].bin != bank_account.bank_bin:
        raise ValidationError(
            _("This file is a statement of %(file)s; the chosen account %(chosen)s is at %(bank)s.")
            % {
                "file": named[0].bank,
                "chosen": bank_account.account_number,
                "bank": known[bank_account.bank_bin].bank,
            },
            code="other_bank",
        )


def _read_line(row_number: int, cells: list, columns: dict[str, int]) -> ParsedLine | None:
    """One row of the table as a transaction (amount negative for money out), or None if it is not one."""

    def cell(name):
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    description_at = columns["description"]
    if any(fold(_text(v)).startswith(_SUMMARY) for i, v in enumerate(cells[:4]) if i != description_at):
        return None  # totals, opening and closing balances (a description may start with "Total")
    amount = _signed_amount(cell, columns)
    raw_date = cell("booked_on")
    if raw_date in ("", None) or (amount == 0 and _date_or_none(raw_date) is None):
        return None  # a row without a date, or a note below the table
    booked_on = _date_or_none(raw_date) or cell_date(raw_date)  # raises with the date's message
    if amount > 0:
        booked_on = _require_not_future(booked_on, "booked_on")
    return ParsedLine(
        row_number,
        booked_on,
        amount,
        normalize_text(str(cell("description") or "")),  # as stored before: part of the line's key
        bank_ref_key(cell("bank_ref")),
    )


def _signed_amount(cell, columns: dict[str, int]) -> int:
    """Money in (positive) or out (negative) of a row: its credit, else its debit, else its signed amount."""
    if "credit" in columns:
        credit = _money(cell("credit"))
        return credit if credit > 0 else -abs(_money(cell("debit")))
    return _money(cell("amount"))


def _money(value) -> int:
    """A signed whole amount of đồng from a cell; 0 for an empty one. A zero decimal part is allowed."""
    if value is None or isinstance(value, bool):
        return 0
    if isinstance(value, int | float | Decimal):
        return (-1 if value < 0 else 1) * parse_vnd(abs(value), allow_zero=True)
    if not isinstance(value, str):
        return parse_vnd(value)  # a date or another kind of cell: refused as not an amount
    text = normalize_text(value)
    if text in _NO_AMOUNT:
        return 0
    sign = 1
    if text[:1] in "-−+":
        sign, text = (1 if text[0] == "+" else -1), text[1:].strip()
    number = _ZERO_DECIMALS.sub("", text)
    mark = text[len(number) : len(number) + 1]
    if number != text and mark in number:
        number = text  # "1.000.00": the mark groups thousands too, so it is not a decimal part
    return sign * parse_vnd(number, allow_zero=True)


def _date_or_none(value):
    """The date of a date cell, also when its time or the bank's number follows on the next line."""
    for candidate in (value, normalize_text(_text(value)).split(" ")[0]):
        try:
            return cell_date(candidate)
        except ValidationError:
            continue
    return None
