"""What a report document is made of: tables with typed columns, sections, bar charts, and the
Vietnamese ways of writing counts, percentages and dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import mark_safe

from fund_portal.money import format_vnd
from fund_portal.pdf import text_width_pt
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


#: The width of a page's text (A4 less pdf-official.css's margins, 30 mm and 15 mm), in pt.
TEXT_WIDTH_PT = 467.7
#: The tables' type size (report.html), a cell's padding and rules (pt), and a numbers' column no
#: narrower than a seventh of the table, as the automatic layout gave them.
_TABLE_PT, _CELL_PT, _NUMBERS_MIN = 12, 9.0, 0.14
#: Columns after the first wider than this share of the table leave it to the automatic layout.
_NUMBERS_MAX = 0.7


@dataclass
class Table:
    title: str
    headers: list[str]
    types: list[str]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    #: Shown even when every number is 0 (a table of targets: the targets are its content).
    always_shown: bool = False
    #: A text column after the first that wraps its lines (a source's name, a note): its share of the
    #: table (%), by its index. Any other text column after the first is as wide as its longest value.
    wrapped: dict[int, float] = field(default_factory=dict)

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
    def column_widths(self) -> list[float] | None:
        """Each column's share of the table (%): a column after the first as wide as its longest value
        or header word (a seventh of the table at least), or its `wrapped` share; the first column the
        rest. The PDF lays the table out with these (`table-layout: fixed`) instead of measuring every
        cell's text, word by word, for the automatic layout: a sixth of a report's PDF. None when the
        columns after the first would take more than `_NUMBERS_MAX` of the table: the automatic
        layout."""
        if self.types[0] != TEXT:
            return None
        rows = self.html_rows + ([self.html_total] if self.total else [])
        widths = []
        for index, header in enumerate(self.headers[1:], start=1):
            if index in self.wrapped:
                widths.append(self.wrapped[index] * TEXT_WIDTH_PT / 100)
                continue
            value = max((text_width_pt(row[index][0], _TABLE_PT) for row in rows), default=0)
            word = max((text_width_pt(w, _TABLE_PT, bold=True) for w in header.split()), default=0)
            widths.append(max(value + _CELL_PT, word + _CELL_PT, _NUMBERS_MIN * TEXT_WIDTH_PT))
        if sum(widths) > _NUMBERS_MAX * TEXT_WIDTH_PT:
            return None
        shares = [round(100 * width / TEXT_WIDTH_PT, 1) for width in widths]
        return [round(100 - sum(shares), 1), *shares]

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


#: The bars' room (pt): the longest bar is this long, its value written after it.
BAR_SPAN_PT = 150


def bar_chart(items: list[tuple[str, int]], *, title: str, money: bool = False) -> str:
    """A horizontal bar chart as HTML the PDF lays out as text (`chart` in report.html): one row per
    (label, value), the label whole (wrapped on as many lines as it needs), a bar in proportion and the
    value written after it. With nothing to draw (every value 0), a line saying so in its place.

    HTML, not SVG: WeasyPrint lays out each SVG text with a Pango call of its own, about 2 ms a label;
    a commune's report spent a quarter of its PDF on its three charts' 86 texts. The same labels as
    table cells are laid out with the rest of the page's text."""
    items = [(label, value if isinstance(value, str) else int(value or 0)) for label, value in items]
    if not any(not isinstance(value, str) and value > 0 for _label, value in items):
        return mark_safe(f'<p class="no-data"><b>{escape(title)}:</b> {escape(NO_DATA_TEXT)}</p>')  # noqa: S308
    largest = max([v for _l, v in items if not isinstance(v, str)] + [1])
    rows = []
    for label, value in items:
        # A suppressed count ("< 5") has no bar: its length would give the number away.
        length = 0 if isinstance(value, str) else round(BAR_SPAN_PT * value / largest, 1)
        text = format_vnd(value) if money and not isinstance(value, str) else count_text(value)
        bar = f'<span class="bar" style="width: {length}pt"></span>' if length else ""
        rows.append(
            f'<tr><td class="chart-label">{escape(label)}</td>'
            f'<td class="chart-bar">{bar}<span class="chart-value">{escape(text)}</span></td></tr>'
        )
    return mark_safe(  # noqa: S308  every text above is escaped
        f'<p class="chart-title">{escape(title)}</p><table class="chart">{"".join(rows)}</table>'
    )


def report_filename(report: Report, extension: str) -> str:
    """ "Báo cáo năm công tác ... 2026 Xã Dân Lý.pdf": a kind whose name says "Báo cáo" gets no second one."""
    name = report.kind.name
    if not fold(name).startswith("bao cao"):
        name = f"Báo cáo {name}"
    return f"{name} {report.year} {report.unit.name}.{extension}"
