"""The children's import file: its columns, the words it understands, and the reader that checks
each row without the database (`_RowReader`, giving `ParsedRow`s), with the keys it looks names up by.

Every problem is kept with its spreadsheet row number; values that repeat across rows (dates, words,
villages, groups) are checked once. The flow is `children.imports.children`."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.imports import RowError, SheetReader, cell_text, choice_table
from fund_portal.imports import shown as _shown
from fund_portal.models import AdministrativeUnit, UnitLevel, User
from fund_portal.spreadsheets import cell_date
from fund_portal.text import fold, normalize_text

from ..models import Child, Poverty, Sex
from ..reference.circumstances import SENSITIVE_CODES, SPECIAL_CIRCUMSTANCES
from ..reference.ethnic import ETHNIC_GROUPS

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
#: Query parameters per statement: SQLite caps them (32,766 in recent versions, 999 in old ones).
CHUNK = 900

SEX_WORDS = {"Nam": Sex.MALE, "Nữ": Sex.FEMALE, "Trai": Sex.MALE, "Gái": Sex.FEMALE}
SEX_LABELS = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}
POVERTY_WORDS = {
    "Hộ nghèo": Poverty.POOR,
    "Nghèo": Poverty.POOR,
    "Hộ cận nghèo": Poverty.NEAR_POOR,
    "Cận nghèo": Poverty.NEAR_POOR,
    "Không": Poverty.NONE,
}
POVERTY_LABELS = {Poverty.POOR: "Hộ nghèo", Poverty.NEAR_POOR: "Hộ cận nghèo", Poverty.NONE: ""}
YES_WORDS = {"co", "x", "yes", "true", "1", "dung", "c"}
NO_WORDS = {"khong", "no", "false", "0", "k", ""}
ETHNIC_ALIASES = {"Việt": "01", "Kinh (Việt)": "01", "Mông": "08", "H'Mông": "08", "Khmer": "05"}
_GROUP_CODE = re.compile(r"g?\s*0*(\d{1,2})(?:\.(\d{1,2}))?", re.IGNORECASE)
_GROUP_SEPARATORS = re.compile(r"[;\n]+")
_UNIT_PREFIXES = ("xa ", "phuong ", "thi tran ", "thon ", "xom ", "ban ", "ap ", "to dan pho ", "khu pho ")
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


class _RowReader(SheetReader):
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
        self.default_commune = default_commune
        self.sensitive_allowed = by.has_perm(SENSITIVE_PERMISSION)
        self.today = timezone.localdate()
        units = AdministrativeUnit.objects.visible_to(by).filter(level=UnitLevel.COMMUNE)
        self.communes: dict[str, AdministrativeUnit] = {}
        names: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        for unit in units.only("pk", "code", "name", "level", "parent_id"):
            self.communes[unit.code.lower()] = unit
            names[_unit_key(unit.name)].append(unit)
        self.commune_names = names
        self.villages: dict[int, dict[str, int]] = {}
        self.village_names: dict[int, str] = {}
        self.sexes = choice_table(Sex, SEX_WORDS)
        self.poverties = choice_table(Poverty, POVERTY_WORDS)
        self.ethnicities = _ethnicity_table()
        self.groups = _group_table()
        self._texts: dict[object, str] = {}
        self._words: dict[object, str] = {}
        self._dates: dict[object, tuple[dt.date | None, str, str]] = {}
        self._group_cells: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {}
        self._unknown_communes: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.first_row_of_id: dict[str, int] = {}
        self.first_row_of_name: dict[tuple, int] = {}

    def _error(self, row: int, field_name: str, code: str, message: str, value="") -> None:
        self.errors.append(RowError(row, COLUMNS[field_name][0], code, message, _shown(value)))

    def _parse(self, row: int, cells: list) -> ParsedRow | None:
        before = len(self.errors)
        columns = self.columns
        if len(cells) < self._width:
            cells = [*cells, *[""] * (self._width - len(cells))]
        cell = dict(zip(self._names, self._pick(cells), strict=True)).get
        values: dict[str, object] = {}
        full_name = self._text(cell("full_name", ""))
        if not full_name:
            self._error(row, "full_name", "required", _("The child's full name is empty."))
        values["full_name"] = full_name
        values["birth_date"] = self._birth_date(row, cell("birth_date", ""))
        values["sex"] = self._choice(row, "sex", cell("sex", ""), self.sexes)
        if "ethnicity" in columns:
            values["ethnicity"] = self._ethnicity(row, cell("ethnicity", ""))
        personal_id = self._personal_id(row, cell("personal_id", "")) if "personal_id" in columns else None
        if "personal_id" in columns:
            values["personal_id"] = personal_id
        commune = self._commune(row, cell("commune", ""), cell("commune_name", ""))
        if commune is not None:
            values["commune_id"] = commune.pk
            if "village" in columns:
                values["village_id"] = self._village(row, commune, cell("village", ""))
        for name in TEXT_FIELDS:
            if name in columns:
                values[name] = self._text(cell(name, ""))
        if "guardian_phone" in columns:
            values["guardian_phone"] = self._phone(cell("guardian_phone", ""))
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
        groups = self._groups(row, cell("groups", "")) if "groups" in columns else []
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
        if len(self.errors) > before or commune is None:
            return None
        parsed = ParsedRow(
            row=row, values=values, groups=groups, commune_label=str(commune), name_folded=fold(full_name)
        )
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
                return None
        else:
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
                return None
        return parsed

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
                self._error(row, field_name, "required", _required_message(field_name))
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
        if not (len(text) == 12 and text.isdigit()):
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

    def _commune(self, row: int, code_value, name_value) -> AdministrativeUnit | None:
        code = cell_text(code_value)
        if code:
            commune = self.communes.get(code.lower())
            if commune is None:
                # Told apart in one query at the end: a unit that does not exist, or one out of scope.
                self._unknown_communes[code].append((row, "commune"))
            return commune
        name = self._text(name_value)
        if name:
            found = self.commune_names.get(_unit_key(name), [])
            if len(found) == 1:
                return found[0]
            if found:
                self._error(
                    row,
                    "commune_name",
                    "ambiguous_commune",
                    _("Several communes are named “%(value)s”; write the commune's code.")
                    % {"value": _shown(name)},
                    name,
                )
            else:
                self._unknown_communes[name].append((row, "commune_name"))
            return None
        if self.default_commune is not None:
            return self.default_commune
        self._error(row, "commune", "required", _required_message("commune"))
        return None

    def _finish(self) -> None:
        """The rows naming a commune the user may not register children in: unknown, not a commune, or
        outside their unit (looked up once for all the rows, after the last)."""
        if not self._unknown_communes:
            return
        texts = list(self._unknown_communes)
        existing: dict[str, AdministrativeUnit] = {}
        for chunk in _chunks(texts, CHUNK):
            for unit in AdministrativeUnit.objects.filter(code__in=chunk):
                existing[unit.code] = unit
        by_name: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        if any(text not in existing for text in texts):
            wanted = {_unit_key(text) for text in texts}
            for unit in AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).only("pk", "name", "code"):
                if _unit_key(unit.name) in wanted:
                    by_name[_unit_key(unit.name)].append(unit)
        for text, places in self._unknown_communes.items():
            unit = existing.get(text) or next(iter(by_name.get(_unit_key(text), [])), None)
            for row, column in places:
                if unit is None:
                    code, message = (
                        "unknown_commune",
                        _("No commune has the code or name “%(value)s”.") % {"value": _shown(text)},
                    )
                elif unit.level != UnitLevel.COMMUNE:
                    code, message = "not_commune", _("%(unit)s is not a commune.") % {"unit": unit}
                else:
                    code, message = (
                        "commune_out_of_scope",
                        _("%(unit)s is outside your unit.") % {"unit": unit},
                    )
                self._error(row, column, code, message, text)

    def _village(self, row: int, commune: AdministrativeUnit, value) -> int | None:
        text = self._text(value)
        if not text:
            return None
        table = self.villages.get(commune.pk)
        if table is None:
            table = self.villages[commune.pk] = {}
            for pk, code, name in AdministrativeUnit.objects.filter(
                parent_id=commune.pk, level=UnitLevel.VILLAGE
            ).values_list("pk", "code", "name"):
                table[code.lower()] = pk
                table[fold(name)] = pk
                table[_unit_key(name)] = pk
        village_id = table.get(text)
        if village_id is None:
            village_id = table.get(text.lower()) or table.get(fold(text)) or table.get(_unit_key(text))
            if village_id is not None:
                table[text] = village_id  # the same cell again: one lookup
        if village_id is None:
            self._error(
                row,
                "village",
                "unknown_village",
                _("%(village)s is not a village of %(commune)s.")
                % {"village": f"“{_shown(text)}”", "commune": commune},
                text,
            )
        return village_id

    def _phone(self, value) -> str:
        if isinstance(value, float | int) and not isinstance(value, bool):
            text = cell_text(value)
            return "0" + text if len(text) == 9 else text  # Excel dropped the leading zero
        return self._text(value)

    def _year(self, row: int, value) -> int | None:
        text = cell_text(value)
        if not text:
            return None
        if text.isdigit() and 1990 <= int(text) <= self.today.year:
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


def _word_key(text: str) -> str:
    """Folded, with every character that is not a letter or a digit left out ("Khơ-me" -> "khome")."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _unit_key(text: str) -> str:
    """A unit's name folded, without the word saying its level ("Xã Dân Lý" -> "dan ly")."""
    folded = fold(text)
    for prefix in _UNIT_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def _group_key(text: str) -> str | None:
    match = _GROUP_CODE.fullmatch(text.strip())
    if match is None:
        return None
    return f"G{int(match[1]):02d}" + (f".{int(match[2])}" if match[2] else "")


def _ethnicity_table() -> dict[str, str]:
    table = {}
    for code, name in ETHNIC_GROUPS:
        table[code] = code
        table[str(int(code))] = code
        table[_word_key(name)] = code
    table.update({_word_key(alias): code for alias, code in ETHNIC_ALIASES.items()})
    return table


def _group_table() -> dict[str, tuple[str, str]]:
    """A group's or subgroup's code or folded name -> (group code, subgroup code or "")."""
    table = {}
    for item in SPECIAL_CIRCUMSTANCES:
        table[item.code] = (item.code, "")
        table[fold(item.name)] = (item.code, "")
        for sub in item.subgroups:
            table[sub.code] = (item.code, sub.code)
            table[fold(sub.name)] = (item.code, sub.code)
    return table


def _required_message(field_name: str) -> str:
    return _("%(column)s is empty; it is required.") % {"column": COLUMNS[field_name][0]}


def _chunks(values: list, size: int) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
