"""A report as documents: the official PDF (Decree 30/2020/NĐ-CP, via fund_portal.pdf) and the XLSX.

Both are drawn from one description of the report: sections of paragraphs, tables and charts built
from the figures by `report_sections`. Tables hold raw values and a type per column ("text",
"count", "money", "percent"): the PDF formats them the Vietnamese way (1.250.000 ₫, 12,5 %), the
XLSX keeps numbers as numbers. The document is Vietnamese whatever the user's language (it is an
official Vietnamese document): its fixed wording is written in Vietnamese here and labels of
choices are taken in Vietnamese with `translation.override("vi")`.

Charts are simple SVG bar charts drawn here (no plotting library), inline in the HTML.

The package: `parts` (tables, sections, charts and the Vietnamese ways of writing numbers and
dates), `sections` (the report's sections, one function each), `pdf` and `xlsx` (the two files).
"""
