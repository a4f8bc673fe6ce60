"""The children's import file: its columns, and the reader that checks each row without the database
(`_RowReader`, giving `ParsedRow`s): who the child is, where they live (`child_places`), their household,
their groups, the lengths, and the first row of each child in the file.

Every problem is kept with its spreadsheet row number; values that repeat across rows (dates, words,
villages, groups) are checked once. The words the file is written in are in `child_words`; the flow is
`children.imports.children`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.imports import RowError, SheetReader, cell_text, choice_table
from fund_portal.imports import shown as _shown
from fund_portal.models import AdministrativeUnit, UnitLevel, User
from fund_portal.spreadsheets import cell_date
from fund_portal.text import fold, is_digits, normalize_text

from ..models import Child, Poverty, Sex
from ..reference.circumstances import SENSITIVE_CODES
from ..reference.disability import disability_severity_code, disability_type_code
from .child_places import _PlaceCells
from .child_words import (
    _GROUP_SEPARATORS,
    NO_WORDS,
    POVERTY_WORDS,
    SEX_WORDS,
    YES_WORDS,
    _ethnicity_table,
    _group_key,
    _group_table,
    _word_key,
)

SENSITIVE_PERMISSION = "children.view_sensitive"

#: Each field's header in the template first, then other names people give the column.
COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": ("Họ và tên", "Họ tên", "Họ và tên trẻ", "Tên trẻ"),
    "birth_date": ("Ngày sinh", "Ngày tháng năm sinh"),
    "sex": ("Giới tính (Nam/Nữ)", "Giới tính"),
    "ethnicity": ("Dân tộc",),
    "personal_id": ("Mã định danh cá nhân", "Số định danh cá nhân", "Mã định danh", "Số định danh"),
    "commune": ("Mã xã", "Mã xã/phường"),
    "commune_name": ("Xã", "Xã/phường", "Tên xã"),
    "village": ("Thôn", "Thôn/xóm", "Thôn, xóm", "Thôn/bản"),
    "address": ("Địa chỉ",),
    "guardian_name": ("Người giám hộ", "Họ tên người giám hộ", "Người chăm sóc"),
    "guardian_relationship": ("Quan hệ với trẻ", "Quan hệ"),
    "guardian_phone": ("SĐT người giám hộ", "Số điện thoại người giám hộ", "Điện thoại"),
    "poverty": ("Hộ nghèo/cận nghèo", "Hộ nghèo, cận nghèo", "Hộ nghèo"),
    "poverty_year": ("Năm công nhận", "Năm công nhận hộ nghèo"),
    "school": ("Trường", "Trường học"),
    "grade": ("Lớp",),
    "out_of_school": ("Bỏ học (Có/Không)", "Bỏ học"),
    "disability_type": ("Khuyết tật", "Dạng khuyết tật"),
    "disability_severity": ("Mức độ khuyết tật",),
    "groups": ("Nhóm hoàn cảnh đặc biệt", "Nhóm HCĐB", "Nhóm"),
    "health_notes": ("Ghi chú sức khỏe", "Sức khỏe"),
    "data_consent": ("Đồng ý lưu dữ liệu (Có/Không)", "Đồng ý lưu dữ liệu"),
}
REQUIRED_COLUMNS = {"full_name", "birth_date", "sex"}
HEADERS = [names[0] for names in COLUMNS.values()]
TEXT_FIELDS = (
    "address",
    "guardian_name",
    "guardian_relationship",
    "school",
    "grade",
    "disability_type",
    "disability_severity",
    "health_notes",
)

MAX_ROWS = 100_000
_FORMULA_STARTS = ("=", "+", "-", "@")
_MAX_LENGTHS = {
    name: Child._meta.get_field(name).max_length
    for name in ("full_name", "guardian_phone", *TEXT_FIELDS)
    if Child._meta.get_field(name).max_length
}


@dataclass(slots=True)
class ParsedRow:
    """A row that passed the checks that need no database: what it sets, and how it is matched."""

    row: int
    values: dict[str, object]  # model field (`commune_id`, `village_id`) -> value; only the file's columns
    groups: list[tuple[str, str]]
    commune_label: str
    name_folded: str  # the full name as `fold` gives it, worked out once
    child_id: int | None = None
    new: bool = True
    changed: bool = True
    new_groups: list[tuple[str, str]] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return self.values["full_name"]

    @property
    def name_key(self) -> tuple:
        return (self.name_folded, self.values["birth_date"], self.values["commune_id"])


def _default_commune(user) -> AdministrativeUnit | None:
    unit = user.unit if user.unit_id else None
    return unit if unit is not None and unit.level == UnitLevel.COMMUNE else None


class _RowReader(_PlaceCells, SheetReader):
    """Turns the sheet's rows into ParsedRows, collecting every problem with its row number."""

    max_rows = MAX_ROWS

    def __init__(self, *, by: User, columns: dict[str, int], default_commune: AdministrativeUnit | None):
        super().__init__()
        self.by = by
        self.columns = columns
        # Each row's cells by column name, picked in one call (a short row is padded with "").
        self._names = list(columns)
        self._pick = itemgetter(*columns.values())  # a tuple: the required columns are three
        self._width = max(columns.values(), default=-1) + 1
        self.sensitive_allowed = by.has_perm(SENSITIVE_PERMISSION)
        self.today = timezone.localdate()
        self._places_load(by=by, default_commune=default_commune)
        self.sexes = choice_table(Sex, SEX_WORDS)
        self.poverties = choice_table(Poverty, POVERTY_WORDS)
        self.ethnicities = _ethnicity_table()
        self.groups = _group_table()
        self._texts: dict[object, str] = {}
        self._words: dict[object, str] = {}
        self._dates: dict[object, tuple[dt.date | None, str, str]] = {}
        self._group_cells: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {}
        self.first_row_of_id: dict[str, int] = {}
        self.first_row_of_name: dict[tuple, int] = {}

    def _error(self, row: int, field_name: str, code: str, message: str, value="") -> None:
        self.errors.append(RowError(row, COLUMNS[field_name][0], code, message, _shown(value)))

    def _required(self, row: int, field_name: str) -> None:
        self._error(row, field_name, "required", _required_message(field_name))

    def _parse(self, row: int, cells: list) -> ParsedRow | None:
        before = len(self.errors)
        cell = self._cells(cells)
        values = self._identity(row, cell)
        commune = self._place(row, cell, values)
        self._household(row, cell, values)
        groups = self._groups(row, cell("groups", "")) if "groups" in self.columns else []
        self._check_lengths(row, values)
        if len(self.errors) > before or commune is None:
            return None
        parsed = ParsedRow(
            row=row,
            values=values,
            groups=groups,
            commune_label=str(commune),
            name_folded=fold(values["full_name"]),
        )
        return parsed if self._first_in_file(parsed) else None

    def _cells(self, cells: list):
        """The row's `get`, a cell's value by its column's name (a short row is padded with "")."""
        if len(cells) < self._width:
            cells = [*cells, *[""] * (self._width - len(cells))]
        return dict(zip(self._names, self._pick(cells), strict=True)).get

    def _identity(self, row: int, cell) -> dict[str, object]:
        """The cells that say who the child is: name, date of birth, sex, ethnic group, personal ID."""
        full_name = self._text(cell("full_name", ""))
        if not full_name:
            self._error(row, "full_name", "required", _("The child's full name is empty."))
        values: dict[str, object] = {
            "full_name": full_name,
            "birth_date": self._birth_date(row, cell("birth_date", "")),
            "sex": self._choice(row, "sex", cell("sex", ""), self.sexes),
        }
        if "ethnicity" in self.columns:
            values["ethnicity"] = self._ethnicity(row, cell("ethnicity", ""))
        if "personal_id" in self.columns:
            values["personal_id"] = self._personal_id(row, cell("personal_id", ""))
        return values

    def _place(self, row: int, cell, values: dict[str, object]) -> AdministrativeUnit | None:
        """The row's commune (None if it has none the user may use) and village, set on `values`."""
        commune = self._commune(row, cell("commune", ""), cell("commune_name", ""))
        if commune is not None:
            values["commune_id"] = commune.pk
            if "village" in self.columns:
                values["village_id"] = self._village(row, commune, cell("village", ""))
        return commune

    def _household(self, row: int, cell, values: dict[str, object]) -> None:
        """The cells about the child's household and life: address, guardian, poverty, school,
        disability, health notes (only with the permission to see sensitive data), data consent."""
        columns = self.columns
        for name in TEXT_FIELDS:
            if name in columns:
                values[name] = self._text(cell(name, ""))
        if "guardian_phone" in columns:
            values["guardian_phone"] = self._phone(cell("guardian_phone", ""))
        for name, code in (
            ("disability_type", disability_type_code),
            ("disability_severity", disability_severity_code),
        ):
            if values.get(name):
                values[name] = code(values[name])  # the law's category; other text kept as typed
        if "poverty" in columns:
            text = cell_text(cell("poverty", ""))
            values["poverty"] = (
                self._choice(row, "poverty", text, self.poverties, required=False) or Poverty.NONE
            )
        if "poverty_year" in columns:
            values["poverty_year"] = self._year(row, cell("poverty_year", ""))
        for name in ("out_of_school", "data_consent"):
            if name in columns:
                values[name] = self._yes_no(row, name, cell(name, ""))
        if "health_notes" in values and not self.sensitive_allowed:
            if values["health_notes"]:
                self._error(
                    row,
                    "health_notes",
                    "sensitive",
                    _("Recording health notes needs the permission to see sensitive data."),
                )
            del values["health_notes"]

    def _check_lengths(self, row: int, values: dict[str, object]) -> None:
        """The texts longer than their field holds."""
        for name in ("full_name", "guardian_phone", *TEXT_FIELDS):
            value = values.get(name)
            if value and name in _MAX_LENGTHS and len(value) > _MAX_LENGTHS[name]:
                self._error(
                    row,
                    name,
                    "too_long",
                    _("“%(value)s” is longer than %(max)s characters.")
                    % {"value": _shown(value), "max": _MAX_LENGTHS[name]},
                    value,
                )

    def _first_in_file(self, parsed: ParsedRow) -> bool:
        """Whether the row is the first of the file with its personal ID (without one, with its name,
        date of birth and commune); a later row of the same child is refused."""
        row, personal_id = parsed.row, parsed.values.get("personal_id")
        if personal_id:
            first = self.first_row_of_id.setdefault(personal_id, row)
            if first != row:
                self._error(
                    row,
                    "personal_id",
                    "duplicate_in_file",
                    _(
                        "The personal identification number %(value)s is already in row %(first)s "
                        "of this file."
                    )
                    % {"value": personal_id, "first": first},
                )
            return first == row
        first = self.first_row_of_name.setdefault(parsed.name_key, row)
        if first != row:
            self._error(
                row,
                "full_name",
                "duplicate_in_file",
                _(
                    "This child (same name, date of birth and commune) is already in row %(first)s "
                    "of this file."
                )
                % {"first": first},
            )
        return first == row

    def _text(self, value) -> str:
        text = self._texts.get(value)
        if text is None:
            text = normalize_text(cell_text(value))
            if text[:1] == "'" and text[1:2] in _FORMULA_STARTS:
                text = text[1:]  # the apostrophe the export put before text that looks like a formula
            self._texts[value] = text
        return text

    def _birth_date(self, row: int, value) -> dt.date | None:
        checked = self._dates.get(value)
        if checked is None:
            checked = self._dates[value] = self._check_birth_date(value)
        day, code, message = checked
        if code:
            self._error(row, "birth_date", code, message, value)
        return day

    def _check_birth_date(self, value) -> tuple[dt.date | None, str, str]:
        """The day a cell gives, or None with the error's code and message (the rules of `child_check`)."""
        if cell_text(value) == "":
            return None, "required", _required_message("birth_date")
        try:
            day = cell_date(value)
        except ValidationError as error:
            return None, "date", " ".join(error.messages)
        if day > self.today:
            return (
                None,
                "future",
                _("The date of birth %(date)s is in the future.") % {"date": day.strftime("%d/%m/%Y")},
            )
        return day, "", ""

    def _choice(self, row: int, field_name: str, value, table: dict[str, str], *, required=True) -> str:
        text = cell_text(value)
        if not text:
            if required:
                self._required(row, field_name)
            return ""
        choice = table.get(text)
        if choice is None:
            choice = table[text] = table.get(fold(text), "")
        if choice:
            return choice
        if field_name == "sex":
            message = _("“%(value)s” is not a sex; write Nam or Nữ.")
        else:
            message = _(
                "“%(value)s” is not a household status; write Hộ nghèo, Hộ cận nghèo or leave it empty."
            )
        self._error(row, field_name, field_name, message % {"value": _shown(text)}, text)
        return ""

    def _ethnicity(self, row: int, value) -> str:
        text = cell_text(value)
        if not text:
            return "01"
        code = self.ethnicities.get(text)
        if code is None:
            code = self.ethnicities.get(_word_key(text))
            if code is not None:
                self.ethnicities[text] = code
        if code is None:
            self._error(
                row,
                "ethnicity",
                "ethnicity",
                _(
                    "“%(value)s” is not an ethnic group; write its name (Kinh, Tày, Thái…) "
                    "or its code (01 to 54)."
                )
                % {"value": _shown(text)},
                text,
            )
            return ""
        return code

    def _personal_id(self, row: int, value) -> str | None:
        if isinstance(value, float | int) and not isinstance(value, bool):
            # Excel turned the number into a figure and dropped its leading zeros (province codes 001-096).
            text = cell_text(value)
            if 10 <= len(text) < 12:
                text = text.zfill(12)
        else:
            text = re.sub(r"\s", "", normalize_text(cell_text(value)))
        if not text:
            return None
        if not (len(text) == 12 and is_digits(text)):
            self._error(
                row,
                "personal_id",
                "personal_id",
                _("“%(value)s” is not a personal identification number: it has 12 digits.")
                % {"value": _shown(text)},
                text,
            )
            return None
        return text

    def _phone(self, value) -> str:
        if isinstance(value, float | int) and not isinstance(value, bool):
            text = cell_text(value)
            return "0" + text if len(text) == 9 else text  # Excel dropped the leading zero
        return self._text(value)

    def _year(self, row: int, value) -> int | None:
        text = cell_text(value)
        if not text:
            return None
        if is_digits(text) and 1990 <= int(text) <= self.today.year:
            return int(text)
        self._error(
            row,
            "poverty_year",
            "year",
            _("“%(value)s” is not a year between %(first)s and %(last)s.")
            % {"value": _shown(text), "first": 1990, "last": self.today.year},
            text,
        )
        return None

    def _yes_no(self, row: int, field_name: str, value) -> bool:
        if isinstance(value, bool):
            return value
        word = self._words.get(value)
        if word is None:
            word = self._words[value] = fold(cell_text(value))
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        self._error(
            row,
            field_name,
            "yes_no",
            _("“%(value)s” is neither Có nor Không.") % {"value": _shown(value)},
            value,
        )
        return False

    def _groups(self, row: int, value) -> list[tuple[str, str]]:
        text = self._text(value)
        if not text:
            return []
        checked = self._group_cells.get(text)
        if checked is None:
            found, problems = [], []
            for part in _GROUP_SEPARATORS.split(text):
                part = part.strip(" ,.")
                if not part:
                    continue
                item = self.groups.get(_group_key(part)) or self.groups.get(fold(part))
                if item is None:
                    problems.append(
                        (
                            "unknown_group",
                            _("“%(code)s” is not a group of children in special circumstances.")
                            % {"code": _shown(part)},
                        )
                    )
                elif item[0] in SENSITIVE_CODES and not self.sensitive_allowed:
                    problems.append(
                        ("sensitive", _("Recording this group needs the permission to see sensitive data."))
                    )
                elif item not in found:
                    found.append(item)
            checked = self._group_cells[text] = (found, problems)
        for code, message in checked[1]:
            self._error(row, "groups", code, message)
        return checked[0]


def _required_message(field_name: str) -> str:
    return _("%(column)s is empty; it is required.") % {"column": COLUMNS[field_name][0]}
