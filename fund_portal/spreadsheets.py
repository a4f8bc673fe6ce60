"""Reading the spreadsheets people upload (CSV or XLSX), with clear refusals for anything else.

Files are checked by content, not by name: an XLSX is a ZIP with a workbook inside, a CSV is
text. python-calamine reads XLSX about ten times faster than openpyxl.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .text import fold, normalize_text

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: An XLSX whose XML unpacks to more than this is refused (a "spreadsheet bomb").
MAX_UNPACKED_BYTES = 400 * 1024 * 1024


@dataclass
class Sheet:
    headers: list[str]
    rows: Iterator[tuple[int, list]]  # (spreadsheet row number, cells)


def open_sheet(uploaded, *, name: str = "") -> Sheet:
    """The first sheet of an uploaded CSV or XLSX file, its header row and its data rows."""
    name = name or getattr(uploaded, "name", "") or ""
    data = uploaded.read() if hasattr(uploaded, "read") else bytes(uploaded)
    if not data:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name}, code="empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file %(name)s is larger than %(limit)s MB.")
            % {"name": name, "limit": MAX_UPLOAD_BYTES // 2**20},
            code="too_large",
        )
    if data[:4] == b"PK\x03\x04":
        return _open_xlsx(data, name)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValidationError(
            _("%(name)s is an old Excel file (.xls). Save it as .xlsx or .csv and upload it again.")
            % {"name": name},
            code="xls",
        )
    return _open_csv(data, name)


def _open_xlsx(data: bytes, name: str) -> Sheet:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValidationError(
            _("%(name)s is not a valid Excel file.") % {"name": name}, code="bad_xlsx"
        ) from exc
    if "xl/workbook.xml" not in names:
        raise ValidationError(
            _("%(name)s is not an Excel workbook (.xlsx).") % {"name": name}, code="not_xlsx"
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError(
            _("%(name)s unpacks to an unreasonable size and is refused.") % {"name": name}, code="bomb"
        )
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001  calamine raises its own error types
        raise ValidationError(
            _("%(name)s could not be read: %(error)s") % {"name": name, "error": exc}, code="unreadable"
        ) from exc
    return _sheet(rows, name)


def _open_csv(data: bytes, name: str) -> Sheet:
    for encoding in ("utf-8-sig", "cp1258"):
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
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _sheet(list(csv.reader(io.StringIO(text), dialect)), name)


def _sheet(rows: list[list], name: str) -> Sheet:
    rows = [row for row in rows]
    while rows and not any(str(c).strip() for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise ValidationError(_("The file %(name)s has no header row.") % {"name": name}, code="no_header")
    headers = [normalize_text(str(h)) for h in rows[0]]
    data = ((index + 2, list(row)) for index, row in enumerate(rows[1:]) if any(str(c).strip() for c in row))
    return Sheet(headers=headers, rows=data)


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


def cell_date(value) -> dt.date:
    """A date from an Excel date cell or a dd/mm/yyyy text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = normalize_text(str(value or ""))
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007  a calendar date, no time zone
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date in the form dd/mm/yyyy.") % {"value": text}, code="date"
    )
