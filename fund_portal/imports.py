"""Spreadsheet imports, all rows or none: the base every app's importer builds on.

An import opens the file (`fund_portal.spreadsheets`: CSV or XLSX, checked by content), finds its
columns by their headers, and reads every row in Python with a `SheetReader`, which collects each
problem as a `RowError` with its spreadsheet row number. A dry run, or a file with a bad row, then
runs the checks that read the database and writes nothing; a good file is written in one
transaction, where the writer runs those checks again under its locks and raises `Rejected` to roll
everything back. `sheet_import` is that flow: an app gives it its columns, its reader, its checks
and its writer. `template_workbook` starts the XLSX template an app offers for its import.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice, starmap, zip_longest
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from .spreadsheets import column_map, open_sheet
from .text import fold

#: A cell's value quoted in a message is cut to this many characters.
SHOWN_LENGTH = 40


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


class Rejected(Exception):
    """The database refused rows while they were written: the import's transaction is rolled back."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class SheetImportResult:
    """What an import did, or would do (a dry run); if `errors` lists any problem, nothing was written."""

    file_name: str
    dry_run: bool
    rows: int = 0
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


class SheetReader:
    """Reads a sheet's rows into parsed rows, collecting every problem with its row number; at most
    `max_rows` of them. A subclass sets `max_rows` and writes `_parse` (a row, or None when it has
    errors) and `_finish` (what can be said only once every row is read)."""

    max_rows: int

    def __init__(self):
        self.errors: list[RowError] = []

    def read(self, rows: Iterator[tuple[int, list]]) -> list:
        rows = list(islice(rows, self.max_rows + 1))
        too_many = len(rows) > self.max_rows
        if too_many:
            del rows[self.max_rows :]
        if _holds_nul(rows):
            # A NUL character means nothing in a cell and no database stores it: dropped.
            rows = [
                (number, [cell.replace("\x00", "") if type(cell) is str else cell for cell in cells])
                for number, cells in rows
            ]
        parsed = [row for row in starmap(self._parse, rows) if row is not None]
        if too_many:
            self.errors.append(
                RowError(
                    None,
                    "",
                    "too_many_rows",
                    _("The file has more than %(max)s rows; split it into smaller files.")
                    % {"max": f"{self.max_rows:,}".replace(",", ".")},
                )
            )
        self._finish()
        return parsed

    def _parse(self, row: int, cells: list):
        raise NotImplementedError

    def _finish(self) -> None:
        raise NotImplementedError


def _holds_nul(rows: list[tuple[int, list]]) -> bool:
    """Whether a cell of the rows holds a NUL character: column by column, each column's texts joined
    into one string searched once (a row at a time, it took an eighth of the reader's time over a
    100,000-row import)."""
    for column in zip_longest(*map(itemgetter(1), rows), fillvalue=""):
        try:
            joined = "".join(column)
        except TypeError:  # dates and numbers among the texts
            joined = "".join([cell for cell in column if type(cell) is str])
        if "\x00" in joined:
            return True
    return False


def sheet_import(
    result: SheetImportResult,
    *,
    uploaded,
    columns: dict[str, tuple[str, ...]],
    required: set[str],
    reader: Callable[[dict[str, int]], SheetReader],
    check: Callable[[list], list[RowError]],
    write: Callable[[list], None],
    no_rows: str,
) -> list:
    """Check every row of the file, then write them all in one transaction, or none; returns the rows read.

    `reader` makes the app's `SheetReader` from the columns found (a `ValidationError` it raises, about a
    column the app cannot do without, is the file's error); `check` gives the problems only the
    database knows (run for a dry run or a file with bad rows); `write` writes the rows, running those
    checks again under its locks, and raises `Rejected` to roll back. The problems end on `result.errors`,
    in the order of the rows; `result.written` says whether the rows were written.
    """
    try:
        sheet = open_sheet(uploaded, name=result.file_name)
        row_reader = reader(column_map(sheet.headers, columns, required=required))
    except ValidationError as error:
        result.errors.append(RowError(None, "", error.code or "file", " ".join(error.messages)))
        return []
    rows = row_reader.read(sheet.rows)
    del sheet
    errors = row_reader.errors
    if not rows and not errors:
        errors.append(RowError(None, "", "no_rows", no_rows))
    if result.dry_run or errors:
        errors += check(rows)
    else:
        try:
            with transaction.atomic():
                write(rows)
        except Rejected as rejected:
            errors = rejected.errors
        else:
            result.written = True
    result.errors = sorted(errors, key=lambda e: e.row or 0)
    return rows


def template_workbook(*, title: str, headers: list[str], widths: list[int], number_formats: dict[int, str]):
    """A new XLSX workbook for an import's template, and its first sheet: the headers in bold and frozen
    above the rows, each column its width, and the number format that the cells people fill in take
    (by the column's index; "@" keeps a code's leading zero)."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for index, width in enumerate(widths, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[letter].width = width
        if index in number_formats:
            sheet.column_dimensions[letter].number_format = number_formats[index]
    sheet.freeze_panes = "A2"
    return book, sheet


def workbook_bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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


def shown(value) -> str:
    """A cell's value as a message quotes it: as text, cut to SHOWN_LENGTH characters."""
    text = cell_text(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"
