"""Template filters for PDF documents: ``{% load pdf_tags %}``.

Kept light: fund_portal.pdf imports WeasyPrint only when a PDF is rendered.
"""

from django import template

from fund_portal import pdf

register = template.Library()


@register.filter
def vietnamese_long_date(value) -> str:
    """{{ doc_date|vietnamese_long_date }} -> ngày 05 tháng 02 năm 2026 (Decree 30/2020/NĐ-CP)."""
    return pdf.vietnamese_long_date(value)


@register.filter
def recipient_lines(recipients) -> list[str]:
    """{% for line in recipients|recipient_lines %} -> "- Như trên;" ... "- Lưu: VT." """
    return pdf.recipient_lines(recipients)


@register.filter
def issuer_lines(name) -> list[str]:
    """{% for line in issuer_name|issuer_lines %}: the issuing body's name in whole lines."""
    return pdf.issuer_lines(str(name or ""))
