"""The commune's Excel list of children: import (all rows or none), the template, and the export.

The file (XLSX or CSV, recognised by content) follows `children_template`: one child per row,
Vietnamese headers matched with case and diacritics ignored. Every row is checked in Python with
the rules of `children.services.child_check` (the same Vietnamese messages), every bad row is
reported with its spreadsheet row number, and if one row is bad nothing is written. A good file is
written in one transaction: new children are loaded with COPY (PostgreSQL), the children the file
names again are updated, their groups added, and their priority recomputed (`priority_recompute`);
a new child is loaded with its priority already computed by the same formula (no needs yet).

Decisions worth knowing:

* Who may import: commune officers and fund staff (or a user with `children.add_child`), into the
  communes `AdministrativeUnit.objects.visible_to` gives them. An auditor may not. A commune
  officer's file may leave out the commune: the rows are then of the officer's commune.
* The same list imported again updates, never duplicates. A row is the child with the row's
  personal ID; without a personal ID (or with one no child has yet), the child of the same commune
  with the same name (case and diacritics folded) and date of birth, if that child has no personal
  ID of its own. A personal ID of a child outside the user's unit refuses the row.
* A column missing from the file leaves that field of an existing child as it is; a column
  present overwrites it, an empty cell included. Groups are only ever added: a group missing from
  the row stays recorded (`circumstance_remove` removes one, with its checks).
* Sensitive groups (`reference.SENSITIVE_CODES`) and health notes are refused in a row unless
  the importing user has `children.view_sensitive`; without it an empty health-notes cell leaves
  the notes as they are.
* A new child gets the status change "Registered" (from nothing to active) by the importing user,
  as `child_register` records it. The duplicate check of `child_register` across the district is
  not run: an import matches within its commune only (`children.duplicates` lists the rest).
* COPY does not go through the audit trail (django-auditlog): each child keeps who created it and
  when, and its status history.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.bulk import analyze, bulk_load, matching, reserve_ids
from fund_portal.imports import RowError, SheetReader, cell_text, choice_table
from fund_portal.imports import shown as _shown
from fund_portal.models import AdministrativeUnit, Role, UnitLevel, User
from fund_portal.spreadsheets import cell_date, column_map, open_sheet
from fund_portal.text import fold, normalize_text

from ..models import (
    AccessAction,
    AccessLog,
    Child,
    ChildStatus,
    ChildStatusChange,
    Circumstance,
    ConsentChange,
    Poverty,
    PriorityWeight,
    Sex,
)
from ..priority import priority_recompute, priority_score, weights_visible
from ..reference.circumstances import SENSITIVE_CODES, SPECIAL_CIRCUMSTANCES
from ..reference.ethnic import ETHNIC_GROUPS
from ..services.registry import ADULT_AGE, access_log, age_on

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
#: The model fields a column writes (the commune's two columns write one field; groups are rows).
MODEL_FIELDS = [
    name for name in COLUMNS if name not in ("commune", "commune_name", "groups", "personal_id")
] + ["personal_id", "commune"]
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
PREVIEW_ROWS = 20
ANALYZE_AFTER_ROWS = 10_000
#: Query parameters per statement: SQLite caps them (32,766 in recent versions, 999 in old ones).
CHUNK = 900
#: PostgreSQL takes many more (up to 65,535).
PG_CHUNK = 20_000

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

CHILD_COLUMNS = [
    "id",
    "full_name",
    "name_folded",
    "birth_date",
    "sex",
    "ethnicity",
    "personal_id",
    "commune_id",
    "village_id",
    "address",
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
    "poverty",
    "poverty_year",
    "school",
    "grade",
    "out_of_school",
    "disability_type",
    "disability_severity",
    "health_notes",
    "status",
    "photo",
    "story",
    "data_consent",
    "story_consent",
    "consent_recorded_by_id",
    "consent_recorded_at",
    "priority_score",
    "priority_override",
    "priority_override_reason",
    "priority",
    "priority_visible",
    "last_reviewed_year",
    "merged_into_id",
    "created_by_id",
    "created_at",
    "updated_at",
]
_ATTNAMES = {f.attname: f.name for f in Child._meta.concrete_fields if f.attname != f.name}
CIRCUMSTANCE_COLUMNS = ["child_id", "group", "subgroup", "identified_on", "note"]
STATUS_COLUMNS = ["child_id", "status_from", "status_to", "on", "reason", "by_id", "at"]
#: What is read of an existing child to match and compare it with a row.
_EXISTING_FIELDS = (
    "id",
    "status",
    "name_folded",
    "consent_recorded_by_id",
    "consent_recorded_at",
    "commune_id",
    "village_id",
    *(name for name in MODEL_FIELDS if name not in ("commune", "village")),
)


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


@dataclass
class ImportResult:
    """What an import did, or would do (a dry run); if `errors` lists any problem, nothing was written."""

    file_name: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    groups_added: int = 0
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


def may_import(user) -> bool:
    """Commune officers and fund staff register children; auditors and donors do not."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.has_perm("children.add_child"):
        return True
    return user.role == Role.COMMUNE_OFFICER and user.unit_id is not None


@requires(Action.CHILD_IMPORT)
def children_import(*, uploaded, by: User, dry_run: bool, name: str = "") -> ImportResult:
    """Import the commune's list of children: every row is checked, then all are written, or none.

    A dry run checks everything the import checks and previews the result; it writes nothing.
    """
    result = ImportResult(file_name=name or getattr(uploaded, "name", "") or "", dry_run=dry_run)
    if not may_import(by):
        result.errors.append(RowError(None, "", "not_allowed", _("You may not import children.")))
        return result
    default_commune = _default_commune(by)
    try:
        sheet = open_sheet(uploaded, name=result.file_name)
        columns = column_map(sheet.headers, COLUMNS, required=REQUIRED_COLUMNS)
        if default_commune is None and "commune" not in columns and "commune_name" not in columns:
            raise ValidationError(
                _("The file lacks the column(s): %(columns)s.") % {"columns": COLUMNS["commune"][0]},
                code="columns",
            )
    except ValidationError as error:
        result.errors.append(RowError(None, "", error.code or "file", " ".join(error.messages)))
        return result
    reader = _RowReader(by=by, columns=columns, default_commune=default_commune)
    rows = reader.read(sheet.rows)
    del sheet
    errors = reader.errors
    if not rows and not errors:
        errors.append(RowError(None, "", "no_rows", _("The file has no rows of children.")))
    if dry_run or errors:
        if rows:
            errors += _match(rows, by=by)
    else:
        try:
            with transaction.atomic():
                _write(rows, by=by, result=result)
        except _Rejected as rejected:
            errors = rejected.errors
        else:
            result.written = True
            if len(rows) >= ANALYZE_AFTER_ROWS:
                analyze(Child, Circumstance, ChildStatusChange, added=len(rows))
    held_elsewhere = {e.row for e in errors if e.code == "personal_id_check"}
    if held_elsewhere:  # after the write's transaction, so the alerts stay when the import is refused
        _alerts_for_ids_held_elsewhere([row for row in rows if row.row in held_elsewhere], by=by)
    result.errors = sorted(errors, key=lambda e: e.row or 0)
    _summarise(result, rows)
    return result


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


def _match(rows: list[ParsedRow], *, by: User) -> list[RowError]:
    """The checks that read the database: which child each row is, and the rules that depend on it.

    Sets each row's `child_id` (None for a new child) and `changed`.
    """
    errors: list[RowError] = []
    visible = Child.objects.visible_to(by)
    commune_ids = sorted({row.values["commune_id"] for row in rows})
    existing: dict[int, dict] = {}
    for chunk in _chunks(commune_ids, CHUNK):
        for child in visible.filter(commune_id__in=chunk).values(*_EXISTING_FIELDS):
            existing[child["id"]] = child
    by_id = {child["personal_id"]: child for child in existing.values() if child["personal_id"]}
    wanted_ids = sorted({pid for row in rows if (pid := row.values.get("personal_id")) and pid not in by_id})
    # Usually none of them exists yet: one query says which do, the scoped one reads only those.
    taken = sorted(_registered_personal_ids(wanted_ids))
    for chunk in _chunks(taken, _chunk_size()):
        for child in visible.filter(personal_id__in=chunk).values(*_EXISTING_FIELDS):
            existing[child["id"]] = child
            by_id[child["personal_id"]] = child
    outside = {pid for pid in taken if pid not in by_id}
    by_name = {
        (child["name_folded"], child["birth_date"], child["commune_id"]): child
        for child in existing.values()
        if child["status"] != ChildStatus.MERGED
    }
    today = timezone.localdate()
    first_row_of_child: dict[int, int] = {}
    personal_id_header = COLUMNS["personal_id"][0]
    for row in rows:
        pid = row.values.get("personal_id")
        child = by_id.get(pid) if pid else None
        if pid and child is None and pid in outside:
            # As on registration: words that do not confirm the number exists, and an alert for the
            # staff who see both records.
            errors.append(
                RowError(
                    row.row,
                    personal_id_header,
                    "personal_id_check",
                    _(
                        "The personal identification number %(value)s needs checking by the fund before it "
                        "can be recorded; the fund's staff have been told. Leave it empty to import the "
                        "child now."
                    )
                    % {"value": pid},
                    pid,
                )
            )
            continue
        if child is None:
            candidate = by_name.get(row.name_key)
            if candidate is not None and not (pid and candidate["personal_id"]):
                child = candidate
        status = child["status"] if child else ChildStatus.ACTIVE
        if child is not None and status == ChildStatus.MERGED:
            errors.append(
                RowError(row.row, "", "merged", _("A merged record does not change any more."), row.full_name)
            )
            continue
        birth_date = row.values["birth_date"]
        if status == ChildStatus.ACTIVE and age_on(birth_date, today) >= ADULT_AGE:
            errors.append(
                RowError(
                    row.row,
                    COLUMNS["birth_date"][0],
                    "adult",
                    _("Born on %(date)s, this person is 16 or older and is not a child.")
                    % {"date": birth_date.strftime("%d/%m/%Y")},
                    birth_date.strftime("%d/%m/%Y"),
                )
            )
            continue
        if child is None:
            row.child_id, row.new, row.changed, row.new_groups = None, True, True, list(row.groups)
            continue
        first = first_row_of_child.setdefault(child["id"], row.row)
        if first != row.row:
            errors.append(
                RowError(
                    row.row,
                    "",
                    "duplicate_in_file",
                    _("This row is the same child as row %(first)s of this file.") % {"first": first},
                    row.full_name,
                )
            )
            continue
        row.child_id, row.new = child["id"], False
        if row.values["commune_id"] != child["commune_id"] and "village_id" not in row.values:
            row.values["village_id"] = None  # the old village belongs to the old commune
        row.changed = any(child[name] != value for name, value in row.values.items())
    recorded: set[tuple[int, str, str]] = set()
    matched = sorted({row.child_id for row in rows if not row.new and row.child_id})
    for chunk in _chunks(matched, _chunk_size()):
        recorded.update(
            Circumstance.objects.filter(child_id__in=chunk).values_list("child_id", "group", "subgroup")
        )
    for row in rows:
        if not row.new and row.child_id:
            row.new_groups = [(g, s) for g, s in row.groups if (row.child_id, g, s) not in recorded]
    return errors


def _alerts_for_ids_held_elsewhere(rows: list[ParsedRow], *, by: User) -> None:
    """Tell the staff who see both records of each row whose personal ID a record outside the
    importer's unit holds (a few rows at most: an import is one commune's list)."""
    from ..duplicates import SAME_PERSONAL_ID
    from ..services.duplicates import duplicate_alert_record

    holders = {
        c.personal_id: c
        for c in Child.objects.filter(personal_id__in=[r.values["personal_id"] for r in rows])
    }
    communes = AdministrativeUnit.objects.in_bulk({r.values["commune_id"] for r in rows})
    for row in rows:
        holder = holders.get(row.values["personal_id"])
        if holder is not None:
            duplicate_alert_record(
                existing=holder,
                commune=communes[row.values["commune_id"]],
                full_name=row.values["full_name"],
                birth_date=row.values["birth_date"],
                personal_id=row.values["personal_id"],
                reason=SAME_PERSONAL_ID,
                by=by,
            )


def _registered_personal_ids(personal_ids: list[str]) -> set[str]:
    """Which of these personal IDs a child has, in any unit (scope is the caller's business)."""
    return {pid for (pid,) in matching(Child.objects.all(), "personal_id", personal_ids, "personal_id")}


def _write(rows: list[ParsedRow], *, by: User, result: ImportResult) -> None:
    """Write the rows in the caller's transaction; raises _Rejected if a check against the database fails."""
    commune_ids = sorted({row.values["commune_id"] for row in rows})
    # Two imports into the same commune wait on each other here, so the second one sees the first's
    # children and updates them instead of adding them again.
    for chunk in _chunks(commune_ids, CHUNK):
        list(AdministrativeUnit.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values("pk"))
    errors = _match(rows, by=by)
    if errors:
        raise _Rejected(errors)
    now = timezone.now()
    today = timezone.localdate()
    new_rows = [row for row in rows if row.new]
    old_rows = [row for row in rows if not row.new]
    ids = reserve_ids(Child._meta.db_table, len(new_rows))
    for row, child_id in zip(new_rows, ids, strict=True):
        row.child_id = child_id
    weights = dict(PriorityWeight.objects.values_list("factor", "weight"))
    bulk_load(Child._meta.db_table, CHILD_COLUMNS, _child_rows(new_rows, now=now, by=by, weights=weights))
    reason = _("Registered")
    bulk_load(
        ChildStatusChange._meta.db_table,
        STATUS_COLUMNS,
        ((row.child_id, "", ChildStatus.ACTIVE, today, reason, by.pk, now) for row in new_rows),
    )
    updated = _update(old_rows, now=now, by=by)
    circumstances = [
        (row.child_id, code, subgroup, today, "") for row in rows for code, subgroup in row.new_groups
    ]
    bulk_load(Circumstance._meta.db_table, CIRCUMSTANCE_COLUMNS, circumstances)
    # New children were loaded with their priority; recomputing 50,000 of them in SQL rewrites every
    # row and its indexes twice (8 s on PostgreSQL).
    new_ids = {row.child_id for row in new_rows}
    touched = sorted((set(updated) | {item[0] for item in circumstances}) - new_ids)
    for chunk in _chunks(touched, 5_000 if connection.vendor == "postgresql" else CHUNK):
        priority_recompute(child_ids=chunk)


def _child_rows(rows: list[ParsedRow], *, now, by: User, weights: dict[str, int]) -> Iterator[tuple]:
    shown_weights = weights_visible(weights)
    for row in rows:
        v = row.values
        consent = bool(v.get("data_consent", False))
        factors = {  # a new child has no needs assessed yet
            "groups": [code for code, _sub in row.groups],
            "poverty": row.values.get("poverty", Poverty.NONE),
            "out_of_school": bool(row.values.get("out_of_school")),
        }
        score = priority_score(weights=weights, **factors)
        yield (
            row.child_id,
            v["full_name"],
            row.name_folded,
            v["birth_date"],
            v["sex"],
            v.get("ethnicity") or "01",
            v.get("personal_id"),
            v["commune_id"],
            v.get("village_id"),
            v.get("address", ""),
            v.get("guardian_name", ""),
            v.get("guardian_relationship", ""),
            v.get("guardian_phone", ""),
            v.get("poverty", Poverty.NONE),
            v.get("poverty_year"),
            v.get("school", ""),
            v.get("grade", ""),
            bool(v.get("out_of_school", False)),
            v.get("disability_type", ""),
            v.get("disability_severity", ""),
            v.get("health_notes", ""),
            ChildStatus.ACTIVE,
            "",
            "",
            consent,
            False,
            by.pk if consent else None,
            now if consent else None,
            score,
            None,
            "",
            score,
            priority_score(weights=shown_weights, **factors),
            None,
            None,
            by.pk,
            now,
            now,
        )


def _update(rows: list[ParsedRow], *, now, by: User) -> list[int]:
    """Update the children the changed rows name, a batch of rows with the same columns at a time."""
    changed = [row for row in rows if row.changed]
    if not changed:
        return []
    consent_now = {}
    if any("data_consent" in row.values for row in changed):
        ids = [row.child_id for row in changed if "data_consent" in row.values]
        for chunk in _chunks(ids, CHUNK):
            consent_now.update(Child.objects.filter(pk__in=chunk).values_list("pk", "data_consent"))
    consent_changes = []
    by_fields: dict[tuple[str, ...], list[Child]] = defaultdict(list)
    for row in changed:
        child = Child(pk=row.child_id, updated_at=now, name_folded=row.name_folded)
        for name, value in row.values.items():
            setattr(child, name, value)
        names = [*row.values, "name_folded", "updated_at"]
        if "data_consent" in row.values and consent_now.get(row.child_id) != row.values["data_consent"]:
            # As `consent_set` does: a withdrawn data consent restricts the record, a new one lifts it.
            given = bool(row.values["data_consent"])
            child.consent_recorded_by_id, child.consent_recorded_at = by.pk, now
            child.data_restricted = not given
            names += ["consent_recorded_by_id", "consent_recorded_at", "data_restricted"]
            if not given:
                child.story_consent = False
                names.append("story_consent")
            consent_changes.append(
                ConsentChange(
                    child_id=row.child_id, data_consent=given, story_consent=False, withdrawn=not given, by=by
                )
            )
        by_fields[tuple(names)].append(child)
    for names, children in by_fields.items():
        # bulk_update takes field names; `commune_id` is the attribute of the field `commune`.
        fields = [_ATTNAMES.get(name, name) for name in names]
        Child.objects.bulk_update(children, fields, batch_size=1000)
    ConsentChange.objects.bulk_create(consent_changes, batch_size=1000)
    return [row.child_id for row in changed]


def _summarise(result: ImportResult, rows: list[ParsedRow]) -> None:
    result.rows = len(rows)
    if result.ok:
        result.created = sum(1 for row in rows if row.new)
        result.updated = sum(1 for row in rows if not row.new and (row.changed or row.new_groups))
        result.unchanged = len(rows) - result.created - result.updated
        result.groups_added = sum(len(row.new_groups) for row in rows)
    result.preview = [
        {
            "row": row.row,
            "full_name": row.full_name,
            "birth_date": row.values["birth_date"],
            "commune": row.commune_label,
            "groups": "; ".join(subgroup or code for code, subgroup in row.groups),
            "new": row.new,
        }
        for row in rows[:PREVIEW_ROWS]
    ]


# ---------------------------------------------------------------------------------------------------------
# Lookup tables
# ---------------------------------------------------------------------------------------------------------


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


def _chunk_size() -> int:
    return PG_CHUNK if connection.vendor == "postgresql" else CHUNK


def _chunks(values: list, size: int) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# ---------------------------------------------------------------------------------------------------------
# The template and the export
# ---------------------------------------------------------------------------------------------------------


def export_headers(*, user) -> list[str]:
    """The template's headers; health notes only for a user who may see them."""
    allowed = user is not None and user.has_perm(SENSITIVE_PERMISSION)
    return [names[0] for name, names in COLUMNS.items() if allowed or name != "health_notes"]


def children_template(*, by: User | None = None) -> bytes:
    """The XLSX template: headers and one example row, then a sheet of the codes to use.

    The second sheet lists the groups (the sensitive ones only for a user allowed to see them), the
    ethnic groups and, given the user, the communes and villages they may import into.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sách trẻ em"
    headers = export_headers(user=by)
    sheet.append(headers)
    commune = _default_commune(by) if by is not None else None
    if commune is None and by is not None:
        commune = AdministrativeUnit.objects.visible_to(by).filter(level=UnitLevel.COMMUNE).first()
    village = (
        AdministrativeUnit.objects.filter(parent=commune, level=UnitLevel.VILLAGE).order_by("code").first()
        if commune
        else None
    )
    today = timezone.localdate()
    example = {
        "full_name": "Nguyễn Văn An",
        "birth_date": today.replace(year=today.year - 8, day=1).strftime("%d/%m/%Y"),
        "sex": "Nam",
        "ethnicity": "Kinh",
        "personal_id": "",
        "commune": commune.code if commune else "",
        "commune_name": commune.name if commune else "",
        "village": village.name if village else "",
        "address": "",
        "guardian_name": "Nguyễn Thị Bình",
        "guardian_relationship": "Bà nội",
        "guardian_phone": "0912345678",
        "poverty": "Hộ nghèo",
        "poverty_year": today.year - 1,
        "school": "Trường Tiểu học",
        "grade": "3",
        "out_of_school": "Không",
        "disability_type": "",
        "disability_severity": "",
        "groups": "G01",
        "health_notes": "",
        "data_consent": "Có",
    }
    sheet.append([example[name] for name, names in COLUMNS.items() if names[0] in headers])
    text_columns = {"birth_date", "personal_id", "commune", "guardian_phone"}
    for index, (name, names) in enumerate((n, c) for n, c in COLUMNS.items() if c[0] in headers):
        letter = openpyxl.utils.get_column_letter(index + 1)
        sheet.cell(row=1, column=index + 1).font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, min(len(names[0]) + 4, 32))
        if name in text_columns:
            # Typed as text: a personal ID or a phone number keeps its leading zero.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"

    codes = book.create_sheet("Danh mục")
    bold = Font(bold=True)
    for line in (
        _("How to fill in the list of children"),
        _("Keep the header row as it is; write one child per row, from row 2, and delete the example row."),
        _(
            "The file is imported all or nothing: if one row is wrong, nothing is imported and "
            "every wrong row is listed with its row number."
        ),
        _(
            "Dates of birth as dd/mm/yyyy or Excel dates. Groups: their codes separated by “;” "
            "(for example G01; G04) or their names. A child already registered (same personal ID, or "
            "same name, date of birth and commune) is updated, never added twice."
        ),
    ):
        codes.append([line])
    codes["A1"].font = Font(bold=True, size=13)
    allowed = by is not None and by.has_perm(SENSITIVE_PERMISSION)
    codes.append([])
    codes.append([_("Groups of children in special circumstances"), ""])
    codes.cell(row=codes.max_row, column=1).font = bold
    for item in SPECIAL_CIRCUMSTANCES:
        if item.sensitive and not allowed:
            continue
        codes.append([item.code, item.name])
        for sub in item.subgroups:
            codes.append([sub.code, sub.name])
    codes.append([])
    codes.append([_("Ethnic groups"), ""])
    codes.cell(row=codes.max_row, column=1).font = bold
    for code, name in ETHNIC_GROUPS:
        codes.append([code, name])
    if by is not None:
        codes.append([])
        codes.append([_("Communes and villages you may use"), ""])
        codes.cell(row=codes.max_row, column=1).font = bold
        units = AdministrativeUnit.objects.visible_to(by).filter(
            level__in=[UnitLevel.COMMUNE, UnitLevel.VILLAGE]
        )
        for code, name, level in units.order_by("path").values_list("code", "name", "level")[:5000]:
            codes.append([code, name if level == UnitLevel.COMMUNE else f"    {name}"])
    codes.column_dimensions["A"].width = 14
    codes.column_dimensions["B"].width = 110
    for row in codes.iter_rows(min_row=1, max_row=4):
        row[0].alignment = Alignment(wrap_text=False)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def children_export_rows(*, children, user) -> tuple[list[str], list[list], list[int]]:
    """The template's headers, one row per child (so an export imports again), and the children's ids.

    Sensitive groups and health notes are left out for a user without `children.view_sensitive`;
    children whose guardian withdrew the data consent are left out altogether (Decree 13/2023: their
    processing is restricted to the commune's duty of protection, which the record itself serves).
    """
    allowed = user.has_perm(SENSITIVE_PERMISSION)
    headers = export_headers(user=user)
    records = list(
        children.filter(data_restricted=False)
        .select_related("commune", "village")
        .order_by("commune__code", "name_folded", "id")
    )
    ids = [child.pk for child in records]
    groups: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(ids, CHUNK):
        items = Circumstance.objects.filter(child_id__in=chunk).order_by("group", "subgroup")
        for child_id, code, subgroup in items.values_list("child_id", "group", "subgroup"):
            if code in SENSITIVE_CODES and not allowed:
                continue
            groups[child_id].append(subgroup or code)
    ethnic = dict(ETHNIC_GROUPS)
    rows = []
    for child in records:
        values = {
            "full_name": child.full_name,
            "birth_date": child.birth_date.strftime("%d/%m/%Y"),
            "sex": SEX_LABELS.get(child.sex, child.sex),
            "ethnicity": ethnic.get(child.ethnicity, child.ethnicity),
            "personal_id": child.personal_id or "",
            "commune": child.commune.code,
            "commune_name": child.commune.name,
            "village": child.village.name if child.village_id else "",
            "address": child.address,
            "guardian_name": child.guardian_name,
            "guardian_relationship": child.guardian_relationship,
            "guardian_phone": child.guardian_phone,
            "poverty": POVERTY_LABELS.get(child.poverty, ""),
            "poverty_year": child.poverty_year or "",
            "school": child.school,
            "grade": child.grade,
            "out_of_school": "Có" if child.out_of_school else "Không",
            "disability_type": child.disability_type,
            "disability_severity": child.disability_severity,
            "groups": "; ".join(groups.get(child.pk, [])),
            "health_notes": child.health_notes,
            "data_consent": "Có" if child.data_consent else "Không",
        }
        rows.append([values[name] for name, names in COLUMNS.items() if names[0] in headers])
    return headers, rows, ids


@requires(Action.CHILD_EXPORT, actor="user")
def children_export(*, children, user, reason: str) -> bytes:
    """The children as an XLSX of the template, logged as one export with the reason and their ids."""
    from fund_portal.exports import xlsx_bytes

    reason = normalize_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the export.")})
    headers, rows, ids = children_export_rows(children=children, user=user)
    with transaction.atomic():
        log = access_log(user=user, action=AccessAction.EXPORT, count=len(ids), unit=user.unit, reason=reason)
        AccessLog.objects.filter(pk=log.pk).update(child_ids=ids)
    return xlsx_bytes(title="Danh sách trẻ em", headers=headers, rows=rows)
