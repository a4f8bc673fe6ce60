"""What a report document is made of: tables with typed columns, sections, bar charts, and the
Vietnamese ways of writing counts, percentages and dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import mark_safe

from fund_portal.money import format_vnd
from fund_portal.text import fold
from reports.models import Report

TEXT, COUNT, MONEY, PERCENT = "text", "count", "money", "percent"
NONE_TEXT = "Không có số liệu trong kỳ báo cáo (0)."
NO_DATA_TEXT = "không có số liệu trong kỳ báo cáo."


def count_text(value) -> str:
    if isinstance(value, str):  # a suppressed small count ("< 5")
        return value
    return f"{int(value or 0):,}".replace(",", ".")


def percent_text(value) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + " %"


def date_text(value: dt.date | str | None) -> str:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value.strftime("%d/%m/%Y") if value else ""


@dataclass
class Table:
    title: str
    headers: list[str]
    types: list[str]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    #: Shown even when every number is 0 (a table of targets: the targets are its content).
    always_shown: bool = False

    def formatted(self, row: list) -> list[tuple[str, bool]]:
        """(text, numeric?) for each cell of a row, for the PDF."""
        out = []
        for value, kind in zip(row, self.types, strict=True):
            if kind == MONEY:
                out.append((format_vnd(int(value or 0)), True))
            elif kind == COUNT:
                out.append((count_text(value), True))
            elif kind == PERCENT:
                out.append((percent_text(value), True))
            else:
                out.append((str(value), False))
        return out

    @property
    def is_empty(self) -> bool:
        """Every number of every row is 0 or missing: the PDF says "không có số liệu" in its place."""
        numeric = [i for i, kind in enumerate(self.types) if kind != TEXT]
        return (
            not self.always_shown
            and bool(numeric)
            and all(row[i] in (0, None, "") for row in self.rows for i in numeric)
        )

    @property
    def html_rows(self) -> list[list[tuple[str, bool]]]:
        return [self.formatted(row) for row in self.rows]

    @property
    def html_total(self) -> list[tuple[str, bool]] | None:
        return self.formatted(self.total) if self.total else None


@dataclass
class Section:
    heading: str
    sheet: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)


# --- Charts ------------------------------------------------------------------------------------


def wrap_label(label: str, width: int) -> list[str]:
    """A chart's label in lines of at most `width` characters, broken between words, never cut."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def bar_chart_svg(items: list[tuple[str, int]], *, title: str, money: bool = False) -> str:
    """A horizontal bar chart as inline SVG: one bar per (label, value), the label whole (wrapped on as
    many lines as it needs), the value written at the bar's end. With nothing to draw (every value 0),
    a line saying so in its place."""
    items = [(label, value if isinstance(value, str) else int(value or 0)) for label, value in items]
    if not any(not isinstance(value, str) and value > 0 for _label, value in items):
        return mark_safe(f'<p class="no-data"><b>{escape(title)}:</b> {escape(NO_DATA_TEXT)}</p>')  # noqa: S308
    width, label_width, line_height, gap, chars = 460, 220, 10, 5, 48
    top = 20
    rows = [(wrap_label(label, chars), value) for label, value in items]
    height = top + sum(len(lines) * line_height + gap for lines, _v in rows) + 4
    largest = max([v for _l, v in items if not isinstance(v, str)] + [1])
    span = width - label_width - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}pt" height="{height}pt" '
        f'viewBox="0 0 {width} {height}" font-family="Fund Portal Serif, serif" font-size="9">',
        f'<text x="0" y="11" font-weight="bold" font-size="10">{escape(title)}</text>',
    ]
    y = top
    for lines, value in rows:
        row_height = len(lines) * line_height
        # A suppressed count ("< 5") has no bar: its length would give the number away.
        length = 0 if isinstance(value, str) else round(span * value / largest, 1)
        text = format_vnd(value) if money and not isinstance(value, str) else count_text(value)
        label = "".join(
            f'<tspan x="{label_width - 4}" y="{y + 8 + i * line_height}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        bar_y = y + (row_height - 10) / 2
        parts.append(
            f'<text text-anchor="end">{label}</text>'
            f'<rect x="{label_width}" y="{bar_y}" width="{length}" height="10" fill="#4a6fa5"/>'
            f'<text x="{label_width + length + 3}" y="{bar_y + 8}">{escape(text)}</text>'
        )
        y += row_height + gap
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every text above is escaped


def report_filename(report: Report, extension: str) -> str:
    """ "Báo cáo năm công tác ... 2026 Xã Dân Lý.pdf": a kind whose name says "Báo cáo" gets no second one."""
    name = report.kind.name
    if not fold(name).startswith("bao cao"):
        name = f"Báo cáo {name}"
    return f"{name} {report.year} {report.unit.name}.{extension}"
