"""Spreadsheet downloads: XLSX with bold headers, safe against formula injection."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from .pdf import ascii_filename

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_bytes(
    *, title: str, headers: list[str], rows: Iterable[Iterable], heading: Iterable[str] = ()
) -> bytes:
    """One sheet: the heading lines (what the figures are: fund, unit, period), a blank row, the bold
    column headers, then the rows. A file that is imported again is written without a heading."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    heading = [str(line) for line in heading]
    for number, line in enumerate(heading):
        sheet.append([safe_cell(line)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13 if number == 0 else 11)
    if heading:
        sheet.append([])
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    if heading:
        sheet.freeze_panes = f"A{sheet.max_row + 1}"
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    for column in sheet.iter_cols(min_row=len(heading) + 2 if heading else 1):
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_download(data: bytes, filename: str) -> HttpResponse:
    """An XLSX file as an attachment."""
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{ascii_filename(filename)}"'
    return response


def xlsx_response(
    *, filename: str, title: str, headers: list[str], rows: Iterable[Iterable], heading: Iterable[str] = ()
) -> HttpResponse:
    return xlsx_download(xlsx_bytes(title=title, headers=headers, rows=rows, heading=heading), filename)
