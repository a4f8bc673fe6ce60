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


def xlsx_bytes(*, title: str, headers: list[str], rows: Iterable[Iterable]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    for column in sheet.columns:
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


def xlsx_response(*, filename: str, title: str, headers: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    return xlsx_download(xlsx_bytes(title=title, headers=headers, rows=rows), filename)
