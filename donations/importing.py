"""Importing donations from a spreadsheet: every row is checked, then all are posted at once, or none.

The file (XLSX or CSV, recognised by content) follows the template of `donations_import_template`:
one donation per row, Vietnamese headers. Every row is validated in Python, every bad row is
reported with its spreadsheet row number, and if one row is bad nothing is written. A good file
is written in one transaction: donors are found or created, each fund's receipt counter is locked
and a block of consecutive numbers reserved, and the donations and their ledger entries are
loaded with COPY (PostgreSQL) as posted donations.

Decisions worth knowing:

* Who may import: a user with the permission to add donations (fund staff, superusers), into the
  funds `Fund.objects.visible_to` gives them, for the campaigns `campaigns_open_to` gives them.
* The document id (`Mã chứng từ`) is required and is imported once per fund: a repeated id in the
  file, or an id a previous import already brought into the fund, refuses the file. The database
  backs this with the unique constraint `donation_import_key_unique`.
* Donors: a row with a tax code is the donor of that tax code in the fund's unit (created with
  the row's name if there is none yet). A row with a name and no tax code is the donor of that
  name in the fund's unit, names compared after NFC normalisation and ignoring case, but keeping
  the diacritics: "Lê Văn Thành" and "Lê Văn Thanh" are different people. A name the unit does
  not know yet creates one donor, however many rows carry it. An empty name is an anonymous
  benefactor.
* Receipt numbers are those of the year of posting, as `donation_post` gives them, in the order of
  the rows in the file; the ledger entry is dated on the day the money was received, as
  `donation_post` dates it. Goods go into the fund's stock through `stock_receive`.
* A donation for a campaign is restricted to that campaign, as on the public donation form.
* COPY does not go through the audit trail (django-auditlog): each donation keeps who imported
  and posted it, when, and its document id.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import operator
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaigns.selectors import campaigns_open_to
from fund_portal.authority import Action, requires
from fund_portal.bulk import analyze, bulk_load, matching, reserve_ids
from fund_portal.models import User
from fund_portal.money import format_vnd
from fund_portal.money_parse import parse_vnd
from fund_portal.public_cache import public_figures_changed
from fund_portal.spreadsheets import cell_date, column_map, open_sheet
from fund_portal.text import fold, normalize_text

from .models import (
    DisplayPreference,
    DocumentSeries,
    Donation,
    DonationKind,
    DonationStatus,
    Donor,
    DonorKind,
    EntryKind,
    Fund,
    LedgerEntry,
    Medium,
    RestrictionKind,
    SourceCategory,
)
from .services.checks import _require_not_future
from .services.numbers import document_numbers_reserve, receipt_number
from .services.stock import stock_receive

#: Each field's header in the template first, then other names people give the column.
COLUMNS: dict[str, tuple[str, ...]] = {
    "received_on": ("Ngày nhận", "Ngày", "Ngày ủng hộ"),
    "amount": ("Số tiền", "Số tiền (đồng)", "Giá trị"),
    "kind": ("Hình thức", "Hình thức ủng hộ"),
    "donor_name": ("Nhà tài trợ", "Người ủng hộ", "Nhà hảo tâm", "Họ tên"),
    "tax_code": ("Mã số thuế", "MST"),
    "fund": ("Quỹ", "Mã quỹ"),
    "campaign": ("Chiến dịch", "Mã chiến dịch"),
    "source": ("Nguồn", "Nguồn tiền"),
    "import_key": ("Mã chứng từ", "Số chứng từ"),
    "note": ("Ghi chú",),
    "goods_description": ("Tên hàng", "Hiện vật"),
    "goods_quantity": ("Số lượng",),
    "goods_unit": ("Đơn vị tính", "ĐVT"),
}
REQUIRED_COLUMNS = {"received_on", "amount", "kind", "fund", "import_key"}
HEADERS = [names[0] for names in COLUMNS.values()]

MAX_ROWS = 200_000
PREVIEW_ROWS = 20
#: Rows per COPY: as fast as one COPY of everything, with a fraction of its memory.
#: Below this many rows autovacuum keeps the planner's statistics fresh enough.
ANALYZE_AFTER_ROWS = 10_000

KIND_ALIASES = {
    "Tiền mặt": DonationKind.CASH,
    "TM": DonationKind.CASH,
    "Chuyển khoản": DonationKind.TRANSFER,
    "CK": DonationKind.TRANSFER,
    "Hiện vật": DonationKind.GOODS,
}
SOURCE_ALIASES = {
    "Quỹ Bảo trợ trẻ em": SourceCategory.CHILD_FUND,
    "Quỹ BTTE": SourceCategory.CHILD_FUND,
    "Vì người nghèo": SourceCategory.POOR_FUND,
    "Ngân sách": SourceCategory.STATE_BUDGET,
    "Khác": SourceCategory.OTHER,
    "Nguồn khác": SourceCategory.OTHER,
}
#: 10 digits (an organisation), 10 digits and a 3-digit branch, or 12 digits (a citizen id).
_TAX_CODE = re.compile(r"\d{10}(-\d{3})?|\d{12}")
#: How a new donor's name starts says what kind of donor it is (folded); anything else is a person.
_DONOR_KIND_PREFIXES = (
    (("cong ty", "doanh nghiep", "hop tac xa", "ngan hang", "tap doan", "chi nhanh"), DonorKind.BUSINESS),
    (("uy ban", "ubnd", "phong ", "so ", "truong ", "benh vien", "cong an", "ban "), DonorKind.AGENCY),
    (("hoi ", "doan ", "cau lac bo", "clb "), DonorKind.ORGANISATION),
)
_SHOWN_LENGTH = 40
_MAX_LENGTHS = {"donor_name": 200, "import_key": 64, "note": 1000, "goods_description": 255, "goods_unit": 30}


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of the file: its spreadsheet row (None for the file itself), column, code and message."""

    row: int | None
    column: str
    code: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if not self.column:
            return _("Row %(row)s: %(error)s") % {"row": self.row, "error": self.message}
        return _("Row %(row)s, column %(column)s: %(error)s") % {
            "row": self.row,
            "column": self.column,
            "error": self.message,
        }


@dataclass(slots=True)
class ParsedRow:
    """A valid row of the file, ready to be written."""

    row: int
    received_on: dt.date
    amount: int
    kind: str
    donor_name: str
    tax_code: str
    fund: Fund
    campaign_id: int | None
    campaign_slug: str
    source: str
    import_key: str
    note: str
    goods_description: str
    goods_quantity: int | None
    goods_unit: str
    donor_id: int | None = None
    receipt_seq: int | None = None
    receipt_number: str = ""

    def donor_key(self) -> tuple | None:
        """Which donor the row names: by tax code, else by name, within the fund's unit; None if anonymous."""
        if self.tax_code:
            return (self.fund.unit_id, "tax", self.tax_code)
        if self.donor_name:
            return (self.fund.unit_id, "name", self.donor_name.lower())
        return None


@dataclass
class FundSummary:
    code: str
    name: str
    rows: int = 0
    amount: int = 0
    first_receipt: str = ""
    last_receipt: str = ""


@dataclass
class ImportResult:
    """What an import did, or would do (a dry run); if `errors` lists any problem, nothing was written."""

    file_name: str
    dry_run: bool
    rows: int = 0
    total: int = 0
    funds: list[FundSummary] = field(default_factory=list)
    new_donors: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors if error.row is not None})

    def error_messages(self) -> list[str]:
        return [str(error) for error in self.errors]


class _Rejected(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


@requires(Action.DONATION_IMPORT)
def donations_import(*, uploaded, by: User, dry_run: bool, name: str = "") -> ImportResult:
    """Import a spreadsheet of donations as posted donations with receipt numbers: all rows, or none.

    A dry run checks everything the import checks and previews the result; it writes nothing.
    """
    result = ImportResult(file_name=name or getattr(uploaded, "name", "") or "", dry_run=dry_run)
    if not by.has_perm("donations.add_donation"):
        result.errors.append(RowError(None, "", "not_allowed", _("You may not import donations.")))
        return result
    try:
        sheet = open_sheet(uploaded, name=result.file_name)
        columns = column_map(sheet.headers, COLUMNS, required=REQUIRED_COLUMNS)
    except ValidationError as error:
        result.errors.append(RowError(None, "", error.code or "file", " ".join(error.messages)))
        return result
    reader = _RowReader(by=by, columns=columns)
    rows = reader.read(sheet.rows)
    del sheet
    errors = reader.errors
    if not rows and not errors:
        errors.append(RowError(None, "", "no_rows", _("The file has no donation rows.")))
    new_donors = 0
    if dry_run or errors:
        errors += _check_against_db(rows)
        new_donors = _count_new_donors(rows)
    else:
        try:
            with transaction.atomic():
                new_donors = _write(rows, by=by)
        except _Rejected as rejected:
            errors = rejected.errors
        else:
            result.written = True
            if len(rows) >= ANALYZE_AFTER_ROWS:
                analyze(Donor, Donation, LedgerEntry, added=len(rows))
    result.errors = sorted(errors, key=lambda e: e.row or 0)
    _summarise(result, rows)
    result.new_donors = new_donors if result.ok else 0
    return result


def donations_import_template(*, by: User | None = None) -> bytes:
    """An empty XLSX with the template's headers on its first sheet and instructions on the second.

    Given the user who will fill it in, the instructions list the fund and campaign codes they may use.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Donations")[:31]
    sheet.append(HEADERS)
    formats = {"received_on": "DD/MM/YYYY", "amount": "#,##0", "tax_code": "@", "import_key": "@"}
    for index, field_name in enumerate(COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[letter].width = 30 if field_name in ("donor_name", "note") else 18
        if field_name in formats:
            # The column's format applies to the cells people fill in: a tax code keeps its leading zero.
            sheet.column_dimensions[letter].number_format = formats[field_name]
    sheet.freeze_panes = "A2"

    help_sheet = book.create_sheet(_("Instructions")[:31])
    help_sheet.append([_("How to fill in the donations template")])
    help_sheet["A1"].font = Font(bold=True, size=13)
    for line in (
        _("Keep the header row as it is; write one donation per row, from row 2."),
        _(
            "The file is imported all or nothing: if one row is wrong, nothing is imported and "
            "every wrong row is listed with its row number."
        ),
        _("Each donation gets the next receipt number of its fund and is posted to the fund's ledger."),
        "",
    ):
        help_sheet.append([line])
    help_sheet.append([_("Column"), _("Required"), _("What to write")])
    for cell in help_sheet[help_sheet.max_row]:
        cell.font = Font(bold=True)
    for field_name, text in _column_help().items():
        required = _("yes") if field_name in REQUIRED_COLUMNS else _("no")
        help_sheet.append([COLUMNS[field_name][0], required, text])
        help_sheet.cell(row=help_sheet.max_row, column=3).alignment = Alignment(wrap_text=True)
    if by is not None:
        for title, codes in (
            (
                _("Fund codes you may use"),
                Fund.objects.visible_to(by).filter(is_active=True).values_list("code", "name"),
            ),
            (_("Campaign codes you may use"), campaigns_open_to(user=by).values_list("slug", "name")),
        ):
            help_sheet.append([])
            help_sheet.append([title])
            help_sheet.cell(row=help_sheet.max_row, column=1).font = Font(bold=True)
            for code, name in codes:
                help_sheet.append([code, "", name])
    help_sheet.column_dimensions["A"].width = 18
    help_sheet.column_dimensions["B"].width = 10
    help_sheet.column_dimensions["C"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column_help() -> dict[str, str]:
    sources = ", ".join(str(label) for label in SourceCategory.labels)
    return {
        "received_on": _(
            "The day the donation was received: dd/mm/yyyy, or an Excel date. Not in the future."
        ),
        "amount": _(
            "The amount in đồng, a whole number: 1.000.000, 1,000,000 or 1000000. For goods, their value."
        ),
        "kind": _("Tiền mặt, Chuyển khoản or Hiện vật."),
        "donor_name": _(
            "The donor's name; leave it empty for an anonymous benefactor. Rows with the same name "
            "are the same donor."
        ),
        "tax_code": _(
            "The donor's tax code, if any: the donor with this tax code is used, or created with "
            "the name given."
        ),
        "fund": _("The fund's code, for example %(code)s.") % {"code": "qbtte-trieu-son"},
        "campaign": _("The campaign's code, if the donation is for a campaign; it is then kept for it."),
        "source": _("Where the money comes from: %(choices)s. Empty: %(default)s.")
        % {"choices": sources, "default": SourceCategory.CHILD_FUND.label},
        "import_key": _(
            "The number of the document the donation was recorded on (receipt stub, bank "
            "transaction number). Each number is imported once per fund: a file imported twice is refused."
        ),
        "note": _("A note kept with the donation."),
        "goods_description": _("For goods only: what was given."),
        "goods_quantity": _("For goods only: how many, a whole number."),
        "goods_unit": _("For goods only: the unit of measure (chiếc, thùng, kg...)."),
    }


class SheetReader:
    """Reads a sheet's rows into parsed rows, collecting every problem with its row number; at most
    `max_rows` of them. A subclass sets `max_rows` and writes `_parse` (a row, or None when it has
    errors) and `_finish` (what can be said only once every row is read)."""

    max_rows: int

    def __init__(self):
        self.errors: list[RowError] = []

    def read(self, rows: Iterator[tuple[int, list]]) -> list:
        parsed = []
        for count, (row_number, cells) in enumerate(rows, start=1):
            if count > self.max_rows:
                self.errors.append(
                    RowError(
                        None,
                        "",
                        "too_many_rows",
                        _("The file has more than %(max)s rows; split it into smaller files.")
                        % {"max": f"{self.max_rows:,}".replace(",", ".")},
                    )
                )
                break
            row = self._parse(row_number, cells)
            if row is not None:
                parsed.append(row)
        self._finish()
        return parsed

    def _parse(self, row: int, cells: list):
        raise NotImplementedError

    def _finish(self) -> None:
        raise NotImplementedError


class _RowReader(SheetReader):
    """Turns the sheet's rows into ParsedRows, collecting every problem with its row number."""

    max_rows = MAX_ROWS

    def __init__(self, *, by: User, columns: dict[str, int]):
        super().__init__()
        self.columns = columns
        self.funds = {f.code.lower(): f for f in Fund.objects.visible_to(by)}
        self.campaigns = dict(campaigns_open_to(user=by).values_list("slug", "pk"))
        self.kinds = choice_table(DonationKind, KIND_ALIASES)
        self.sources = choice_table(SourceCategory, SOURCE_ALIASES)
        self.first_row_of_key: dict[tuple[int, str], int] = {}
        # Names, notes and dates repeat across rows: each distinct value is cleaned and checked once.
        self._texts: dict[object, str] = {}
        self._dates: dict[object, tuple[dt.date | None, str, str]] = {}
        self._amounts: dict[tuple, tuple[int | None, str, str]] = {}
        self._unknown_funds: dict[str, list[tuple[int, str]]] = defaultdict(list)
        # Ways of giving, sources, funds and campaigns found good, by the text of their cell: a row
        # repeating one skips its check. Only texts are kept (1, 1.0 and True are equal keys).
        self._good_kinds: dict[str, str] = {}
        self._good_sources: dict[str, str] = {}
        self._good_funds: dict[str, Fund] = {}
        self._good_campaigns: dict[str, tuple[str, int | None]] = {}
        # A row's cells in the order of COLUMNS, in one call: "" for a cell past the row's end, and
        # for a column the file lacks (the padding's last cell).
        self._padding = [""] * (max(columns.values(), default=0) + 2)
        self._cells = operator.itemgetter(*(columns.get(name, -1) for name in COLUMNS))

    def _error(self, row: int, field_name: str, code: str, message: str, value="") -> None:
        self.errors.append(RowError(row, COLUMNS[field_name][0], code, message, _shown(value)))

    def _parse(self, row: int, cells: list) -> ParsedRow | None:
        errors = self.errors
        before = len(errors)
        (  # in the order of COLUMNS
            received_on_cell,
            amount_cell,
            kind_cell,
            donor_name_cell,
            tax_code_cell,
            fund_cell,
            campaign_cell,
            source_cell,
            import_key_cell,
            note_cell,
            goods_description_cell,
            goods_quantity_cell,
            goods_unit_cell,
        ) = self._cells(cells + self._padding)
        received_on, code, message = self._dates.get(received_on_cell) or self._checked_date(received_on_cell)
        if code:
            self._error(row, "received_on", code, message, received_on_cell)
        amount, code, message = self._amounts.get((type(amount_cell), amount_cell)) or self._checked_amount(
            amount_cell
        )
        if code:
            self._error(row, "amount", code, message, amount_cell)
        kind = self._good_kinds.get(kind_cell) or self._choice(
            row, "kind", kind_cell, self.kinds, required=True, good=self._good_kinds
        )
        source = self._good_sources.get(source_cell)
        if source is None:
            source = self._choice(
                row, "source", source_cell, self.sources, required=False, good=self._good_sources
            )
        fund = self._good_funds.get(fund_cell) or self._fund(row, fund_cell)
        campaign_slug, campaign_id = self._good_campaigns.get(campaign_cell) or self._campaign(
            row, campaign_cell
        )
        donor_name = self._texts.get(donor_name_cell)
        if donor_name is None:
            donor_name = self._clean_text(donor_name_cell)
        tax_code = "" if tax_code_cell == "" else self._tax_code(row, tax_code_cell)
        import_key = self._import_key(row, import_key_cell, fund)
        note = self._texts.get(note_cell)
        if note is None:
            note = self._clean_text(note_cell)
        if kind == DonationKind.GOODS:
            goods_description, goods_quantity, goods_unit = self._goods(
                row, goods_description_cell, goods_quantity_cell, goods_unit_cell
            )
        else:
            goods_description, goods_quantity, goods_unit = "", None, ""
        if (
            len(donor_name) > _MAX_LENGTHS["donor_name"]
            or len(note) > _MAX_LENGTHS["note"]
            or goods_description
            or goods_unit
        ):
            self._check_lengths(
                row,
                donor_name=donor_name,
                note=note,
                goods_description=goods_description,
                goods_unit=goods_unit,
            )
        if len(errors) > before or fund is None:
            return None
        return ParsedRow(
            row=row,
            received_on=received_on,
            amount=amount,
            kind=kind,
            donor_name=donor_name,
            tax_code=tax_code,
            fund=fund,
            campaign_id=campaign_id,
            campaign_slug=campaign_slug,
            source=source or SourceCategory.CHILD_FUND,
            import_key=import_key,
            note=note,
            goods_description=goods_description,
            goods_quantity=goods_quantity,
            goods_unit=goods_unit,
        )

    def _check_lengths(self, row: int, **values: str) -> None:
        for field_name, value in values.items():
            if len(value) > _MAX_LENGTHS[field_name]:
                self._error(
                    row,
                    field_name,
                    "too_long",
                    _("“%(value)s” is longer than %(max)s characters.")
                    % {"value": _shown(value), "max": _MAX_LENGTHS[field_name]},
                    value,
                )

    def _checked_date(self, value) -> tuple[dt.date | None, str, str]:
        checked = self._dates[value] = _check_date(value)
        return checked

    def _checked_amount(self, value) -> tuple[int | None, str, str]:
        try:
            checked = (parse_vnd(None if value == "" else value), "", "")
        except ValidationError as error:
            checked = (None, error.code, " ".join(error.messages))
        self._amounts[(type(value), value)] = checked
        return checked

    def _choice(
        self, row: int, field_name: str, value, table: dict[str, str], *, required: bool, good: dict[str, str]
    ) -> str:
        """The choice a cell names (or "" if it is empty and not required); a good one goes into `good`."""
        text = cell_text(value)
        if not text:
            if required:
                self._required(row, field_name)
                return ""
            choice = ""
        else:
            choice = table.get(text)
            if choice is None:
                choice = table[text] = table.get(fold(text), "")
        if choice or not text:
            if type(value) is str:
                good[value] = choice
            return choice
        if field_name == "kind":
            message = _("“%(value)s” is not a way of giving; write Tiền mặt, Chuyển khoản or Hiện vật.")
        else:
            message = _("“%(value)s” is not a source of money; write one of: %(choices)s.")
        self._error(
            row,
            field_name,
            field_name,
            message % {"value": _shown(text), "choices": ", ".join(str(c) for c in SourceCategory.labels)},
            text,
        )
        return ""

    def _fund(self, row: int, value) -> Fund | None:
        code = cell_text(value).lower()
        if not code:
            self._required(row, "fund")
            return None
        fund = self.funds.get(code)
        if fund is None:
            # Told apart in one query at the end: a fund that does not exist, or one out of scope.
            self._unknown_funds[code].append((row, cell_text(value)))
            return None
        if not fund.is_active:
            self._error(
                row,
                "fund",
                "fund_inactive",
                _("The fund %(fund)s no longer takes donations.") % {"fund": fund},
                value,
            )
        elif type(value) is str:
            self._good_funds[value] = fund
        return fund

    def _campaign(self, row: int, value) -> tuple[str, int | None]:
        """The campaign's code as written (lower case) and its id; None if the cell is empty or unknown."""
        slug = cell_text(value).lower()
        if not slug:
            checked = slug, None
        elif (campaign_id := self.campaigns.get(slug)) is not None:
            checked = slug, campaign_id
        else:
            self._error(
                row,
                "campaign",
                "unknown_campaign",
                _("No campaign open to you has the code “%(value)s”.") % {"value": _shown(slug)},
                slug,
            )
            return slug, None
        if type(value) is str:
            self._good_campaigns[value] = checked
        return checked

    def _finish(self) -> None:
        """The rows naming a fund the user may not import into: unknown, or outside their unit (looked up
        once for all the rows, after the last)."""
        if not self._unknown_funds:
            return
        existing = {
            code.lower()
            for code in Fund.objects.filter(code__in=self._unknown_funds).values_list("code", flat=True)
        }
        for code, places in self._unknown_funds.items():
            for row, value in places:
                if code in existing:
                    code_name, message = (
                        "fund_out_of_scope",
                        _("The fund “%(value)s” is outside your unit; you may not import donations into it."),
                    )
                else:
                    code_name, message = "unknown_fund", _("No fund has the code “%(value)s”.")
                self._error(row, "fund", code_name, message % {"value": _shown(value)}, value)

    def _clean_text(self, value) -> str:
        text = self._texts.get(value)
        if text is None:
            text = self._texts[value] = normalize_text(cell_text(value))
        return text

    def _tax_code(self, row: int, value) -> str:
        if value == "":
            return ""
        if isinstance(value, float | int) and not isinstance(value, bool):
            # Excel turned the code into a number and dropped its leading zero.
            text = cell_text(value).zfill(10)
        else:
            text = re.sub(r"\s", "", cell_text(value))
        if text and not _TAX_CODE.fullmatch(text):
            self._error(
                row,
                "tax_code",
                "tax_code",
                _("“%(value)s” is not a tax code: write 10 digits, 10 digits-3 digits, or 12 digits.")
                % {"value": _shown(value)},
                value,
            )
            return ""
        return text

    def _import_key(self, row: int, value, fund: Fund | None) -> str:
        parts = (value if type(value) is str else cell_text(value)).split()
        # One ASCII word is already normalised; the rest goes through normalize_text.
        key = parts[0] if len(parts) == 1 and parts[0].isascii() else normalize_text(" ".join(parts))
        if not key:
            self._required(row, "import_key")
            return ""
        if len(key) > _MAX_LENGTHS["import_key"]:
            self._error(
                row,
                "import_key",
                "too_long",
                _("“%(value)s” is longer than %(max)s characters.")
                % {"value": _shown(key), "max": _MAX_LENGTHS["import_key"]},
                key,
            )
            return ""
        if fund is not None:
            first = self.first_row_of_key.setdefault((fund.id, key), row)
            if first != row:
                self._error(
                    row,
                    "import_key",
                    "duplicate_in_file",
                    _("The document id “%(value)s” is already in row %(first)s of this file.")
                    % {"value": _shown(key), "first": first},
                    key,
                )
        return key

    def _goods(self, row: int, description_cell, raw_quantity, unit_cell) -> tuple[str, int | None, str]:
        description = self._clean_text(description_cell)
        unit = self._clean_text(unit_cell)
        quantity = None
        if cell_text(raw_quantity):
            try:
                quantity = parse_vnd(raw_quantity)
            except ValidationError:
                self._error(
                    row,
                    "goods_quantity",
                    "quantity",
                    _("“%(value)s” is not a whole number of items.") % {"value": _shown(raw_quantity)},
                    raw_quantity,
                )
                return description, None, unit
        if not description or not quantity:
            self._error(row, "goods_description", "goods", _("Goods need a description and a quantity."))
        return description, quantity, unit

    def _required(self, row: int, field_name: str) -> None:
        self._error(row, field_name, "required", _required_message(field_name))


def _required_message(field_name: str) -> str:
    return _("%(column)s is empty; it is required.") % {"column": COLUMNS[field_name][0]}


def _check_date(value) -> tuple[dt.date | None, str, str]:
    """The day a cell gives, or None with the error's code and message."""
    if cell_text(value) == "":
        return None, "required", _required_message("received_on")
    try:
        day = cell_date(value)
    except ValidationError as error:
        return None, "date", " ".join(error.messages)
    try:
        return _require_not_future(day, "received_on"), "", ""
    except ValidationError as error:
        return None, "future", " ".join(error.messages)


def _check_against_db(rows: list[ParsedRow]) -> list[RowError]:
    """The checks that read the database: document ids imported before, and the donors the rows name.

    Sets each row's donor_id where the donor exists; the donors still to create keep None.
    """
    errors = []
    by_fund: dict[int, list[ParsedRow]] = defaultdict(list)
    for row in rows:
        by_fund[row.fund.id].append(row)
    for fund_rows in by_fund.values():
        fund = fund_rows[0].fund
        imported = _imported_keys(fund, [row.import_key for row in fund_rows])
        for row in fund_rows:
            if row.import_key in imported:
                errors.append(
                    RowError(
                        row.row,
                        COLUMNS["import_key"][0],
                        "already_imported",
                        _(
                            "The document id “%(value)s” was already imported into %(fund)s "
                            "(receipt %(receipt)s)."
                        )
                        % {
                            "value": _shown(row.import_key),
                            "fund": fund,
                            "receipt": imported[row.import_key],
                        },
                        _shown(row.import_key),
                    )
                )
    known = _existing_donors(rows)
    for row in rows:
        key = row.donor_key()
        if key is None:
            continue
        row.donor_id = known.get(key)
        if row.donor_id is None and not row.donor_name:
            errors.append(
                RowError(
                    row.row,
                    COLUMNS["donor_name"][0],
                    "donor_name_required",
                    _("No donor has the tax code %(value)s yet; write the donor's name as well.")
                    % {"value": row.tax_code},
                    row.tax_code,
                )
            )
    return errors


def _imported_keys(fund: Fund, keys: list[str]) -> dict[str, str]:
    """Which of these document ids the fund already has, with their receipt numbers: one query.

    A document id has no line break (`_import_key` normalises its spaces), as `matching` needs."""
    return dict(
        matching(Donation.objects.filter(fund=fund), "import_key", keys, "import_key", "receipt_number")
    )


def _existing_donors(rows: list[ParsedRow]) -> dict[tuple, int]:
    """The donors the rows name that exist in their fund's unit (the oldest when several match)."""
    tax_codes = {row.tax_code for row in rows if row.tax_code}
    folded_names = {
        fold(name) for name in {row.donor_name for row in rows if row.donor_name and not row.tax_code}
    }
    units = {fund.unit_id for fund in {row.fund.id: row.fund for row in rows}.values()}
    known: dict[tuple, int] = {}
    donors = Donor.objects.filter(unit_id__in=units, merged_into__isnull=True).order_by()
    # The oldest donor of each tax code, and of each name as written: a unit has many donors whose
    # names fold alike ("Lê Văn Thành", "Lê Văn Thanh"), and often several of one name.
    for chunk in _chunks(sorted(tax_codes), 5_000):
        for unit_id, tax_code, pk in (
            donors.filter(tax_code__in=chunk).values_list("unit_id", "tax_code").annotate(oldest=Min("pk"))
        ):
            known[(unit_id, "tax", tax_code)] = pk
    for chunk in _chunks(sorted(folded_names), 5_000):
        for unit_id, name, pk in (
            donors.filter(name_folded__in=chunk).values_list("unit_id", "name").annotate(oldest=Min("pk"))
        ):
            key = (unit_id, "name", normalize_text(name).lower())
            known[key] = min(pk, known.get(key, pk))
    return known


def _write(rows: list[ParsedRow], *, by: User) -> int:
    """Post the rows in the caller's transaction; raises _Rejected if the database refuses a row.

    Returns how many donors were created.
    """
    now = timezone.now()
    year = timezone.localtime(now).year
    by_fund: dict[int, list[ParsedRow]] = defaultdict(list)
    for row in rows:
        by_fund[row.fund.pk].append(row)
    blocks = {}
    # Locked in the order of the funds' ids, so two imports never wait on each other in a circle.
    # Another import into the same fund waits here, then sees this one's document ids. The counter
    # is the only lock an import takes before its stock items: the funds are not locked, and the
    # share locks that the foreign-key checks take on them at commit conflict only with a plain
    # FOR UPDATE of a fund, which no service takes (see donations.services.donations).
    for fund_id in sorted(by_fund):
        fund_rows = by_fund[fund_id]
        blocks[fund_id] = document_numbers_reserve(
            fund=fund_rows[0].fund, series=DocumentSeries.RECEIPT, year=year, count=len(fund_rows)
        )
    errors = _check_against_db(rows)
    if errors:
        raise _Rejected(errors)
    for fund_id, fund_rows in by_fund.items():
        for seq, row in zip(blocks[fund_id], fund_rows, strict=True):
            row.receipt_seq, row.receipt_number = seq, receipt_number(year, seq)
    new_donors = _donors_create(rows)
    ids = reserve_ids(Donation._meta.db_table, len(rows))
    bulk_load(Donation._meta.db_table, DONATION_COLUMNS, _donation_rows(rows, ids, year=year, now=now, by=by))
    _entries_post(ids, now=now, by=by)
    public_figures_changed()
    goods_ids = [
        donation_id for row, donation_id in zip(rows, ids, strict=True) if row.kind == DonationKind.GOODS
    ]
    for donation in Donation.objects.filter(pk__in=goods_ids).select_related("fund").order_by("pk"):
        stock_receive(
            fund=donation.fund,
            name=donation.goods_description,
            unit_of_measure=donation.goods_unit or "-",
            quantity=donation.goods_quantity,
            on=donation.received_on,
            donation=donation,
        )
    return new_donors


def _count_new_donors(rows: list[ParsedRow]) -> int:
    return len({key for row in rows if row.donor_id is None and (key := row.donor_key()) is not None})


def _donors_create(rows: list[ParsedRow]) -> int:
    """One new donor for each tax code or name the fund's unit does not know yet; rows get their ids."""
    new: dict[tuple, Donor] = {}
    for row in rows:
        key = row.donor_key()
        if key is None or row.donor_id is not None or key in new:
            continue
        name_folded = fold(row.donor_name)
        new[key] = Donor(
            unit_id=row.fund.unit_id,
            kind=_donor_kind(name_folded),
            name=row.donor_name,
            name_folded=name_folded,
            tax_code=row.tax_code,
        )
    Donor.objects.bulk_create(new.values(), batch_size=1000)
    for row in rows:
        if row.donor_id is None and (key := row.donor_key()) is not None:
            row.donor_id = new[key].pk
    return len(new)


def _donor_kind(name_folded: str) -> str:
    for prefixes, kind in _DONOR_KIND_PREFIXES:
        if name_folded.startswith(prefixes):
            return kind
    return DonorKind.INDIVIDUAL


DONATION_COLUMNS = [
    "id",
    "fund_id",
    "donor_id",
    "kind",
    "amount",
    "goods_description",
    "goods_quantity",
    "goods_unit",
    "received_on",
    "campaign_id",
    "source",
    "status",
    "receipt_year",
    "receipt_seq",
    "receipt_number",
    "transfer_reference",
    "donor_name",
    "donor_phone",
    "donor_email",
    "display_preference",
    "message",
    "client_token",
    "import_key",
    "created_by_id",
    "created_at",
    "posted_by_id",
    "posted_at",
    "restriction",
    "restriction_campaign_id",
    "restriction_unit_id",
    "restriction_need",
    "restriction_child_id",
]
ENTRY_COLUMNS = [
    "fund_id",
    "kind",
    "medium",
    "amount",
    "entry_date",
    "source",
    "description",
    "donation_id",
    "created_by_id",
    "created_at",
    "restriction",
    "restriction_campaign_id",
    "reason",
    "restriction_need",
]


def _donation_rows(rows: list[ParsedRow], ids: list[int], *, year: int, now, by: User) -> Iterator[tuple]:
    for row, donation_id in zip(rows, ids, strict=True):
        yield (
            donation_id,
            row.fund.pk,
            row.donor_id,
            row.kind,
            row.amount,
            row.goods_description,
            row.goods_quantity,
            row.goods_unit,
            row.received_on,
            row.campaign_id,
            row.source,
            DonationStatus.POSTED,
            year,
            row.receipt_seq,
            row.receipt_number,
            None,
            "",
            "",
            "",
            DisplayPreference.FULL_NAME,
            row.note,
            None,
            row.import_key,
            by.pk,
            now,
            by.pk,
            now,
            RestrictionKind.CAMPAIGN if row.campaign_id else RestrictionKind.NONE,
            row.campaign_id,
            None,
            "",
            None,
        )


def _entries_post(ids: list[int], *, now, by: User) -> None:
    """The ledger entry of each donation just loaded, as `donation_post` writes it, made by the database
    from the donation rows (one INSERT ... SELECT, nothing sent twice over the wire). `ids` are the
    import's own, distinct and in order (`reserve_ids`)."""
    before, after = _("Receipt %(number)s").split("%(number)s")
    table, entries = Donation._meta.db_table, LedgerEntry._meta.db_table
    select = (
        f"INSERT INTO {entries} ({', '.join(ENTRY_COLUMNS)}) "  # noqa: S608  our table and column names
        f"SELECT fund_id, %s, CASE WHEN kind = %s THEN %s ELSE %s END, amount, received_on, source, "
        f"%s || receipt_number || %s, id, %s, %s, restriction, restriction_campaign_id, '', restriction_need "
        f"FROM {table} "
    )
    params = [EntryKind.DONATION, DonationKind.GOODS, Medium.GOODS, Medium.CASH, before, after, by.pk, now]
    with connection.cursor() as cursor:
        if ids[-1] - ids[0] == len(ids) - 1:
            # One range, all of it reserved by this import (always on SQLite; on PostgreSQL unless
            # another session took ids meanwhile): read by range, a fifth of the time of ANY(100,000 ids).
            cursor.execute(select + "WHERE id BETWEEN %s AND %s ORDER BY id", [*params, ids[0], ids[-1]])
        elif connection.vendor == "postgresql":
            cursor.execute(select + "WHERE id = ANY(%s) ORDER BY id", [*params, ids])
        else:  # SQLite (its imports' ids are always one range): the list as one JSON parameter
            cursor.execute(
                select + "WHERE id IN (SELECT value FROM json_each(%s)) ORDER BY id",
                [*params, json.dumps(ids)],
            )


def _summarise(result: ImportResult, rows: list[ParsedRow]) -> None:
    funds: dict[int, FundSummary] = {}
    for row in rows:
        summary = funds.get(row.fund.id)
        if summary is None:
            summary = funds[row.fund.id] = FundSummary(code=row.fund.code, name=row.fund.name)
            summary.first_receipt = row.receipt_number
        summary.rows += 1
        summary.amount += row.amount
        summary.last_receipt = row.receipt_number
    result.rows = len(rows)
    result.total = sum(summary.amount for summary in funds.values())
    result.funds = list(funds.values())
    kinds = dict(DonationKind.choices)
    sources = dict(SourceCategory.choices)
    result.preview = [
        {
            "row": row.row,
            "received_on": row.received_on,
            "amount": row.amount,
            "amount_display": format_vnd(row.amount),
            "kind": str(kinds[row.kind]),
            "donor": row.donor_name,
            "tax_code": row.tax_code,
            "fund": row.fund.code,
            "campaign": row.campaign_slug,
            "source": str(sources[row.source]),
            "import_key": row.import_key,
            "note": row.note,
            "receipt_number": row.receipt_number,
        }
        for row in rows[:PREVIEW_ROWS]
    ]


def choice_table(choices, aliases: dict[str, str]) -> dict[str, str]:
    """Folded value, label (Vietnamese and English) or alias -> choice value."""
    table = {fold(value): value for value in choices.values}
    for language in ("vi", "en"):
        with translation.override(language):
            table.update({fold(str(label)): value for value, label in choices.choices})
    table.update({fold(alias): value for alias, value in aliases.items()})
    return table


def cell_text(value) -> str:
    """A cell as text: whole numbers without ".0", dates as dd/mm/yyyy, empty cells as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _shown(value) -> str:
    text = cell_text(value)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def _chunks(values: list, size: int) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
