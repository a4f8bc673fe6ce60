"""Reading the spreadsheets people upload (CSV, XLSX or XLS), with clear refusals for anything else.

Files are checked by content, not by name: an XLSX is a ZIP with a workbook inside, an XLS an OLE2
compound file (what banks' online services still export), a CSV is text (UTF-8, UTF-16 with its
byte-order mark, or Windows-1258; commas, semicolons or tabs). python-calamine reads XLSX and XLS,
XLSX about ten times faster than openpyxl.
"""

from __future__ import annotations

import csv
import ctypes
import ctypes.util
import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .text import fold, normalize_text
from .xls import xls_extent

#: Defaults of the limits below; settings.IMPORT_MAX_UPLOAD_BYTES etc. override them.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: An XLSX whose XML unpacks to more than this is refused (a "spreadsheet bomb").
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
#: A shared-strings part (every text of the workbook, which the XLSX reader parses whole, whatever
#: the sheet uses) larger than this is refused before it is read: 330 MB of it made the reader's
#: process 336 MB larger for good. A 250,000-row list of children has about 60 MB of it.
MAX_SHARED_STRINGS_BYTES = 100 * 1024 * 1024
#: A sheet taller, wider, or with a larger rectangle of cells than this is refused before it is read:
#: the XLSX reader allocates the whole rectangle from the first to the last cell, so two cells at
#: A1 and XFD1048576 in a 1 kB file would ask for 550 GB and abort the process.
MAX_SHEET_ROWS = 250_000
MAX_SHEET_COLUMNS = 200
MAX_SHEET_CELLS = 6_000_000
#: Rows and cells of a worksheet's XML, with their reference when they have one ("A1", "12").
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_ROW_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\br="([0-9]+)"')
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_CELL_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br="([A-Za-z]+)[0-9]*"')
#: The same for the usual XML without namespace prefixes: a literal start lets the regex engine skip
#: ahead, about five times faster over a 100,000-row sheet (the scan was a second of each import).
_PLAIN = {
    "row_tag": re.compile(rb"<row[\s>/]"),
    "row_ref": re.compile(rb'<row\s[^>]*?\br="([0-9]+)"'),
    "cell_tag": re.compile(rb"<c[\s>/]"),
    "cell_ref": re.compile(rb'<c\s[^>]*?\br="([A-Za-z]+)[0-9]*"'),
}
_PREFIXED = {"row_tag": _ROW_TAG, "row_ref": _ROW_REF, "cell_tag": _CELL_TAG, "cell_ref": _CELL_REF}
_PREFIX_HINT = re.compile(rb"<[A-Za-z_][\w.-]*:(?:row|c)[\s>/]")
#: What every prefixed tag contains, with a literal start: the hint above is tried only where it is.
_PREFIX_CLUE = re.compile(rb":(?:row|c)[\s>/]")
#: Every row and cell tag in one pass each: its reference where it is the tag's first attribute, as
#: Excel and openpyxl write it (`<row r="12"`, `<c r="B12"`), else b"". With no b"" the tags and
#: references are those of `_PLAIN`, counted in half the time; any b"" sends the part to `_PLAIN`.
_USUAL_ROWS = re.compile(rb'<row(?:\sr="([0-9]+)"|(?=[\s>/]))')
_USUAL_CELLS = re.compile(rb'<c(?:\sr="([A-Za-z]+)[0-9]*"|(?=[\s>/]))')
_SCAN_CHUNK = 4 * 1024 * 1024


def _limit(name: str) -> int:
    """An import limit: the setting IMPORT_<NAME> if set, else this module's default."""
    return int(getattr(settings, f"IMPORT_{name}", globals()[name]))


@dataclass
class Sheet:
    headers: list[str]
    rows: Iterator[tuple[int, list]]  # (spreadsheet row number, cells)


def open_sheet(uploaded, *, name: str = "") -> Sheet:
    """The first sheet of an uploaded CSV, XLSX or XLS file, its header row and its data rows."""
    name = name or getattr(uploaded, "name", "") or ""
    return _sheet(_read_rows(_upload_bytes(uploaded, name), name), name)


def open_rows(uploaded, *, name: str = "") -> list[tuple[int, list]]:
    """Every row of the first sheet from the top, as the spreadsheet numbers them (from 1).

    For files whose table starts below a preamble (a bank statement's account, period and balance):
    nothing is taken as the header; blank rows are left out.
    """
    name = name or getattr(uploaded, "name", "") or ""
    rows = _read_rows(_upload_bytes(uploaded, name), name, preamble=True)
    return [(number, list(row)) for number, row in enumerate(rows, start=1) if _has_text(row)]


def _upload_bytes(uploaded, name: str) -> bytes:
    """The uploaded file's content, refused when empty or over MAX_UPLOAD_BYTES."""
    max_bytes = _limit("MAX_UPLOAD_BYTES")
    too_large = ValidationError(
        _("The file %(name)s is larger than %(limit)s MB.")
        % {"name": name, "limit": max(1, max_bytes // 2**20)},
        code="too_large",
    )
    # An upload's size is known before it is read (Django counted it while receiving it): a 150 MB
    # file was read whole into memory only to be refused.
    if (getattr(uploaded, "size", None) or 0) > max_bytes:
        raise too_large
    if hasattr(uploaded, "read"):
        data = uploaded.read(max_bytes + 1)  # a stream of unknown size: never more than the limit
    else:
        data = bytes(uploaded)
    if not data:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name}, code="empty")
    if len(data) > max_bytes:
        raise too_large
    return data


def _read_rows(data: bytes, name: str, *, preamble: bool = False) -> list[list]:
    if data[:4] == b"PK\x03\x04":
        return _open_xlsx(data, name)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _open_xls(data, name)
    return _open_csv(data, name, preamble=preamble)


def _open_xls(data: bytes, name: str) -> list[list]:
    """An old Excel file (.xls, BIFF in an OLE2 compound file), as banks' online services export."""
    unreadable = ValidationError(
        _(
            "%(name)s looks like an old Excel file (.xls) but could not be read. "
            "Save it as .xlsx or .csv and upload it again."
        )
        % {"name": name},
        code="xls",
    )
    try:
        height, width = xls_extent(data)
    except (ValueError, struct.error, IndexError) as exc:
        raise unreadable from exc
    _check_rectangle(height, width, name)
    return _calamine_rows(data, unreadable)


def _check_rectangle(height: int, width: int, name: str) -> None:
    """Refuse a sheet taller, wider or larger than the limits, before it is read."""
    max_rows, max_columns = _limit("MAX_SHEET_ROWS"), _limit("MAX_SHEET_COLUMNS")
    if height > max_rows or width > max_columns:
        raise ValidationError(
            _("%(name)s has more than %(rows)s rows or %(columns)s columns; split it into smaller files.")
            % {"name": name, "rows": f"{max_rows:,}".replace(",", "."), "columns": max_columns},
            code="too_many_rows",
        )
    if height * width > _limit("MAX_SHEET_CELLS"):
        raise ValidationError(
            _("%(name)s unpacks to an unreasonable size and is refused.") % {"name": name}, code="bomb"
        )


def _open_xlsx(data: bytes, name: str) -> list[list]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
            if "xl/workbook.xml" in names and unpacked <= _limit("MAX_UNPACKED_BYTES"):
                for member in names:
                    if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                        _check_extent(archive, member, name)
                    elif member.lower().endswith("sharedstrings.xml"):
                        _check_shared_strings(archive, member, name)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        raise ValidationError(
            _("%(name)s is not a valid Excel file.") % {"name": name}, code="bad_xlsx"
        ) from exc
    if "xl/workbook.xml" not in names:
        raise ValidationError(
            _("%(name)s is not an Excel workbook (.xlsx).") % {"name": name}, code="not_xlsx"
        )
    if unpacked > _limit("MAX_UNPACKED_BYTES"):
        raise ValidationError(
            _("%(name)s unpacks to an unreasonable size and is refused.") % {"name": name}, code="bomb"
        )
    # calamine's messages are English and technical ("Cannot detect file format"): not shown.
    unreadable = ValidationError(
        _("%(name)s could not be read: it is damaged or is not an Excel workbook.") % {"name": name},
        code="unreadable",
    )
    return _calamine_rows(data, unreadable)


def _calamine_rows(data: bytes, unreadable: ValidationError) -> list[list]:
    """The first sheet's rows, read by python-calamine (XLSX or XLS); `unreadable` if it cannot."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001  calamine raises its own error types
        raise unreadable from exc
    finally:
        workbook = None
        release_freed_memory()


def _check_shared_strings(archive: zipfile.ZipFile, member: str, name: str) -> None:
    """Refuse a shared-strings part over MAX_SHARED_STRINGS_BYTES before the reader parses it.

    Its size is counted by unpacking it (in chunks, nothing kept), not taken from the archive's
    directory, which may lie; an entry longer than it says fails its checksum (BadZipFile).
    """
    limit = _limit("MAX_SHARED_STRINGS_BYTES")
    refused = ValidationError(
        _(
            "%(name)s holds more text than an import can take (over %(limit)s MB); "
            "split it into smaller files."
        )
        % {"name": name, "limit": limit // 2**20},
        code="too_much_text",
    )
    if archive.getinfo(member).file_size > limit:
        raise refused
    size = 0
    with archive.open(member) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            size += len(chunk)
            if size > limit:
                raise refused


def release_freed_memory() -> None:
    """Give the memory the XLSX reader freed back to the system.

    The reader allocates each cell and shared string on its own; once freed, glibc keeps those
    small blocks for later instead of returning them, so a worker that read a large workbook stayed
    that much larger (3 million shared strings: 146 MB for good; after malloc_trim: none).
    """
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _glibc():
    path = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(path) if path else None
    except OSError:  # pragma: no cover - no C library to load
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


_LIBC = _glibc()


def _check_extent(archive: zipfile.ZipFile, member: str, name: str) -> None:
    """Refuse a worksheet whose rectangle of cells is too large, from its XML, before anything reads it.

    Rows and cells are counted by their references; those without one (allowed: they follow the
    previous one) are added on top (cells: the most any row has), so the bound holds whatever the
    file says.
    """
    max_row = max_column = rows_without_ref = cells_without_ref = 0
    carry = b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(_SCAN_CHUNK)
            buffer = carry + chunk
            cut = buffer.rfind(b">") + 1 if chunk else len(buffer)
            part, carry = buffer[:cut], buffer[cut:]
            if len(carry) > _SCAN_CHUNK:  # a tag that never ends: count what there is
                part, carry = buffer, b""
            part_row, part_rows_without_ref, part_column, part_cells_without_ref = _extent(part)
            max_row, max_column = max(max_row, part_row), max(max_column, part_column)
            rows_without_ref += part_rows_without_ref
            cells_without_ref = max(cells_without_ref, part_cells_without_ref)
            _check_rectangle(max_row + rows_without_ref, max_column + cells_without_ref, name)
            if not chunk:
                break


def _extent(part: bytes) -> tuple[int, int, int, int]:
    """What a part of a worksheet's XML holds: its highest row reference, its rows without one, its
    highest column reference, and the most cells without one that any of its rows has."""
    prefixed = _PREFIX_CLUE.search(part) is not None and _PREFIX_HINT.search(part) is not None
    found = _PREFIXED if prefixed else _PLAIN
    row_refs = None if prefixed else _USUAL_ROWS.findall(part)
    if row_refs is None or b"" in row_refs:
        row_refs = found["row_ref"].findall(part)
        rows = len(found["row_tag"].findall(part))
    else:
        rows = len(row_refs)
    cell_refs = None if prefixed else _USUAL_CELLS.findall(part)
    cells_without_ref = 0
    if cell_refs is None or b"" in cell_refs:
        cell_refs = found["cell_ref"].findall(part)
        if len(found["cell_tag"].findall(part)) > len(cell_refs):
            # Cells without a reference follow the previous one: count them row by row.
            for row_xml in found["row_tag"].split(part):
                unreferenced = len(found["cell_tag"].findall(row_xml)) - len(
                    found["cell_ref"].findall(row_xml)
                )
                cells_without_ref = max(cells_without_ref, unreferenced)
    max_row = max(map(int, set(row_refs)), default=0)
    max_column = max(map(_column_number, set(cell_refs)), default=0)
    return max_row, rows - len(row_refs), max_column, cells_without_ref


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper()[:4]:
        number = number * 26 + letter - 64
    return number if len(letters) <= 4 else 10**9


def _open_csv(data: bytes, name: str, *, preamble: bool = False) -> list[list]:
    # Excel's "Unicode text" and some banks' exports are UTF-16, known by their byte-order mark.
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "cp1258")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes nearly anything
        raise ValidationError(_("%(name)s is not a text (CSV) file.") % {"name": name}, code="not_text")
    if "\x00" in text:
        raise ValidationError(
            _("%(name)s is neither a CSV nor an XLSX file.") % {"name": name}, code="binary"
        )
    if preamble:
        dialect = _dialect_below_preamble(text[:16384])
    else:
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
    max_rows, max_columns = _limit("MAX_SHEET_ROWS"), _limit("MAX_SHEET_COLUMNS")
    rows = []
    try:
        reader = csv.reader(io.StringIO(text), dialect)
        for row in reader:
            if len(rows) >= max_rows or len(row) > max_columns:
                raise ValidationError(
                    _(
                        "%(name)s has more than %(rows)s rows or %(columns)s columns; "
                        "split it into smaller files."
                    )
                    % {"name": name, "rows": f"{max_rows:,}".replace(",", "."), "columns": max_columns},
                    code="too_many_rows",
                )
            rows.append(row)
    except csv.Error as exc:
        # The csv module's messages are English ("field larger than field limit (131072)").
        if "field limit" in str(exc):
            raise ValidationError(
                _("%(name)s has a cell longer than %(limit)s characters; is it really a list?")
                % {"name": name, "limit": f"{csv.field_size_limit():,}".replace(",", ".")},
                code="cell_too_long",
            ) from exc
        raise ValidationError(
            _("%(name)s could not be read as a CSV file (line %(line)s).")
            % {"name": name, "line": reader.line_num},
            code="unreadable",
        ) from exc
    return rows


def _dialect_below_preamble(sample: str) -> type[csv.Dialect]:
    """The CSV dialect of a file whose table starts below lines of another shape (a preamble).

    The sniffer expects every line alike and is misled by the preamble; here the separator is the one
    that splits most lines into the same number (more than one) of cells: the table's lines.
    """
    best, best_score = ",", 0
    for delimiter in ",;\t":
        try:
            widths = [
                len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if len(row) > 1
            ]
        except csv.Error:
            continue
        if widths:
            width = max(set(widths), key=lambda w: (widths.count(w), w))
            score = widths.count(width) * width
            if score > best_score:
                best, best_score = delimiter, score

    class Dialect(csv.excel):
        delimiter = best

    return Dialect


def _sheet(rows: list[list], name: str) -> Sheet:
    start = next((index for index, row in enumerate(rows) if _has_text(row)), None)
    if start is None:
        raise ValidationError(_("The file %(name)s has no header row.") % {"name": name}, code="no_header")
    headers = [normalize_text(str(h)) for h in rows[start]]
    data = ((index, list(row)) for index, row in enumerate(rows[start + 1 :], start=2) if _has_text(row))
    return Sheet(headers=headers, rows=data)


def _has_text(row: list) -> bool:
    """Whether a row has a cell that is neither empty nor white space."""
    for cell in row:
        if (cell if type(cell) is str else str(cell)).strip():
            return True
    return False


def column_map(
    headers: list[str], wanted: dict[str, tuple[str, ...]], *, required: set[str]
) -> dict[str, int]:
    """Which column holds each wanted field, by header names folded (case and diacritics ignored)."""
    folded = [fold(h) for h in headers]
    found = {}
    for field, names in wanted.items():
        for candidate in names:
            if fold(candidate) in folded:
                found[field] = folded.index(fold(candidate))
                break
    missing = [wanted[f][0] for f in wanted if f in required and f not in found]
    if missing:
        raise ValidationError(
            _("The file lacks the column(s): %(columns)s.") % {"columns": ", ".join(missing)}, code="columns"
        )
    return found


#: How dates are written: day first as people and banks write them, or ISO; with a time or not.
_DATE_PATTERNS = tuple(
    f"{day}{time}"
    for day in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d")
    for time in ("", " %H:%M:%S", " %H:%M", "T%H:%M:%S")
)


def cell_date(value) -> dt.date:
    """A date from an Excel date cell or a dd/mm/yyyy text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = normalize_text(str(value or ""))
    for pattern in _DATE_PATTERNS:
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007  a calendar date, no time zone
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date in the form dd/mm/yyyy.") % {"value": text}, code="date"
    )
