"""The report as the official PDF (Decree 30/2020/NĐ-CP, via fund_portal.pdf)."""

from __future__ import annotations

from django.utils import translation

from fund_portal.models import UnitLevel
from fund_portal.pdf import place_name, render_pdf
from reports.documents.parts import date_text
from reports.documents.sections import report_sections
from reports.models import Report
from reports.selectors import report_addressing


def report_subject(kind_name: str, year: int) -> str:
    """The subject under "BÁO CÁO", without saying "Báo cáo" again: "Báo cáo sơ kết 6 tháng công tác
    bảo vệ, chăm sóc trẻ em" -> "Sơ kết 6 tháng công tác bảo vệ, chăm sóc trẻ em năm 2026"; the year
    goes before a closing note in brackets ("... năm 2026 (tổng hợp toàn huyện)")."""
    subject = kind_name.strip()
    if subject.lower().startswith("báo cáo "):
        subject = subject[len("báo cáo ") :].strip()
    if subject.lower().startswith("năm "):  # "Báo cáo năm công tác ..." is the year's results
        subject = "kết quả " + subject[len("năm ") :]
    note = ""
    if subject.endswith(")") and "(" in subject:
        subject, note = subject[: subject.rindex("(")].strip(), " " + subject[subject.rindex("(") :]
    return f"{subject[:1].upper()}{subject[1:]} năm {year}{note}"


def pdf_context(*, report: Report, completeness: list[dict] | None = None) -> dict:
    unit = report.unit
    sections = report_sections(report=report, completeness=completeness)
    return {
        "report": report,
        **report_addressing(report),
        "doc_number": report.doc_number or "      /BC-UBND",
        "place": place_name(unit.name),
        "doc_date": report.submitted_at,
        "title": "Báo cáo",
        "subtitle": report_subject(report.kind.name, report.year),
        "period_text": (
            f"Kỳ báo cáo: từ ngày {date_text(report.period_start)} đến ngày {date_text(report.period_end)}"
        ),
        "sections": sections,
        "is_commune": unit.level == UnitLevel.COMMUNE,
    }


def report_pdf(*, report: Report, completeness: list[dict] | None = None) -> bytes:
    with translation.override("vi"):
        return render_pdf(
            template_name="reports/pdf/report.html",
            context=pdf_context(report=report, completeness=completeness),
        )
