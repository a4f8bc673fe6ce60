"""The report as the official PDF (Decree 30/2020/NĐ-CP, via fund_portal.pdf)."""

from __future__ import annotations

from django.utils import translation

from fund_portal.models import UnitLevel
from fund_portal.pdf import render_pdf
from reports.documents.parts import date_text
from reports.documents.sections import report_sections
from reports.models import Report


def place_name(name: str) -> str:
    """ "Xã Dân Lý" -> "Dân Lý": the place in "Dân Lý, ngày … tháng … năm …"."""
    for prefix in ("Thị trấn ", "Thị xã ", "Thành phố ", "Xã ", "Phường ", "Huyện ", "Quận ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def pdf_context(*, report: Report, completeness: list[dict] | None = None) -> dict:
    unit = report.unit
    sections = report_sections(report=report, completeness=completeness)
    return {
        "report": report,
        "issuer_parent": "",
        "issuer_name": f"Ủy ban nhân dân {unit.name}",
        "doc_number": report.doc_number or "      /BC-UBND",
        "place": place_name(unit.name),
        "doc_date": report.submitted_at,
        "title": "Báo cáo",
        "subtitle": f"{report.kind.name} năm {report.year}",
        "period_text": (
            f"Kỳ báo cáo: từ ngày {date_text(report.period_start)} đến ngày {date_text(report.period_end)}"
        ),
        "sections": sections,
        "recipients": [report.kind.recipient, "Lưu: VT"],
        "signer_authority": "TM. Ủy ban nhân dân",
        "signer_title": "Chủ tịch",
        "signer_name": "",
        "is_commune": unit.level == UnitLevel.COMMUNE,
    }


def report_pdf(*, report: Report, completeness: list[dict] | None = None) -> bytes:
    with translation.override("vi"):
        return render_pdf(
            template_name="reports/pdf/report.html",
            context=pdf_context(report=report, completeness=completeness),
        )
