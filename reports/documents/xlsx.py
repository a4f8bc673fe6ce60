"""The report as XLSX: every table, one sheet per section, numbers as numbers."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from fund_portal.exports import safe_cell
from reports.documents.parts import date_text
from reports.documents.sections import report_sections
from reports.models import Report


def report_xlsx(*, report: Report, completeness: list[dict] | None = None) -> bytes:
    """Every table of the report, one sheet per section, numbers as numbers (formula-safe text)."""
    book = Workbook()
    info = book.active
    info.title = "Thông tin"
    for row in (
        ["Báo cáo", f"{report.kind.name} năm {report.year}"],
        ["Đơn vị", report.unit.name],
        ["Từ ngày", date_text(report.period_start)],
        ["Đến ngày", date_text(report.period_end)],
        ["Hạn nộp", date_text(report.due_on)],
        ["Số văn bản", report.doc_number],
    ):
        info.append([safe_cell(v) for v in row])
    bold = Font(bold=True)
    for section in report_sections(report=report, completeness=completeness):
        sheet = book.create_sheet(section.sheet[:31])
        sheet.append([section.heading])
        sheet["A1"].font = bold
        for paragraph in section.paragraphs:
            sheet.append([safe_cell(paragraph.replace("<b>", "").replace("</b>", ""))])
        for table in section.tables:
            sheet.append([])
            sheet.append([table.title])
            sheet.cell(row=sheet.max_row, column=1).font = bold
            sheet.append(table.headers)
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for row in table.rows + ([table.total] if table.total else []):
                sheet.append([safe_cell(v) for v in row])
        sheet.column_dimensions["A"].width = 60
        for letter in "BCDEFG":
            sheet.column_dimensions[letter].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
