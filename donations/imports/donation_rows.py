"""The donations import's file: its columns, and the reader that checks each row without the database.

Every problem is kept with its spreadsheet row number; values that repeat across rows (names, dates,
funds) are checked once. The flow is `donations.imports.donations`."""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from campaigns.selectors import campaigns_open_to
from fund_portal.imports import RowError, SheetReader, cell_text, choice_table, shown
from fund_portal.models import User
from fund_portal.money_parse import parse_vnd
from fund_portal.spreadsheets import cell_date
from fund_portal.text import fold, normalize_text

from ..models import DonationKind, Fund, SourceCategory
from ..services.checks import _require_not_future

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


_MAX_LENGTHS = {"donor_name": 200, "import_key": 64, "note": 1000, "goods_description": 255, "goods_unit": 30}


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
        self.errors.append(RowError(row, COLUMNS[field_name][0], code, message, shown(value)))

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
                    % {"value": shown(value), "max": _MAX_LENGTHS[field_name]},
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
            message % {"value": shown(text), "choices": ", ".join(str(c) for c in SourceCategory.labels)},
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
                _("No campaign open to you has the code “%(value)s”.") % {"value": shown(slug)},
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
                self._error(row, "fund", code_name, message % {"value": shown(value)}, value)

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
                % {"value": shown(value)},
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
                % {"value": shown(key), "max": _MAX_LENGTHS["import_key"]},
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
                    % {"value": shown(key), "first": first},
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
                    _("“%(value)s” is not a whole number of items.") % {"value": shown(raw_quantity)},
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
