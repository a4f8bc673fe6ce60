"""The content of a report, one function per section, from its figures (Vietnamese whatever the user's
language: an official Vietnamese document)."""

from __future__ import annotations

from html import escape

from django.utils import timezone, translation

from children.incidents import SENSITIVE_INCIDENT_KINDS
from children.models import IncidentKind, Poverty, SupportKind, SupportSource
from children.reference.circumstances import SPECIAL_CIRCUMSTANCES
from children.reference.ethnic import ethnic_group_name
from children.selectors.registry import small_count_shown
from donations.models import NeedArea, SourceCategory
from fund_portal.money import format_vnd
from reports.documents.parts import (
    COUNT,
    MONEY,
    PERCENT,
    TEXT,
    Section,
    Table,
    bar_chart,
    count_text,
    date_text,
    percent_text,
)
from reports.documents.targets import targets_table
from reports.figures.children import BAND_KEYS
from reports.figures.compute import (
    percent,
    rates,
)
from reports.models import Report, Timeliness

TIMELINESS_VI = {
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Muộn",
    Timeliness.MISSING: "Chưa nộp",
    Timeliness.NOT_DUE: "Chưa đến hạn",
}
BAND_LABELS = {
    "0-2": "0–2 tuổi",
    "3-5": "3–5 tuổi",
    "6-10": "6–10 tuổi",
    "11-15": "11–15 tuổi",
    "16+": "Từ 16 tuổi",
}


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _choice_rows(table: Table, choices, figures: dict, *keys: str) -> None:
    """A row of `table` for each of `choices`, in their order: its label, then its `keys` in
    `figures[value]` (0 where a choice has no figures)."""
    for value in choices.values:
        row = figures.get(value, {})
        table.rows.append([_label(choices, value), *(row.get(key, 0) for key in keys)])


def report_sections(*, report: Report, completeness: list[dict] | None = None) -> list[Section]:
    """The content of the report (Vietnamese), from its figures, for the PDF and the XLSX."""
    with translation.override("vi"):
        figures = report.figures
        shares = rates(figures)
        sections = [
            children_section(figures, shares),
            support_section(figures, shares),
            resources_section(figures, shares),
            incidents_section(figures),
        ]
        if figures.get("communes") is not None:  # district and above
            sections.append(communes_section(figures, shares, completeness))
        sections.append(assessment_section(report, figures))
        return sections


def children_section(figures: dict, shares: dict) -> Section:
    """I. Children in the registry."""
    children = figures["children"]
    one = Section(
        heading="I. Tình hình trẻ em có hoàn cảnh đặc biệt và trẻ em thuộc hộ nghèo, cận nghèo",
        sheet="Trẻ em",
    )
    one.paragraphs.append(
        f"Tổng số trẻ em trong danh sách quản lý đến ngày {date_text(figures['period']['end'])}: "
        f"{count_text(children['total'])} em (nam {count_text(children['male'])}, nữ "
        f"{count_text(children['female'])}); "
        f"trẻ em có hoàn cảnh đặc biệt: {count_text(children['special']['total'])} em, trong đó "
        f"phát hiện mới trong kỳ: "
        f"{count_text(children['special']['new_in_period'])} em; trẻ em thuộc hộ nghèo, cận nghèo: "
        f"{count_text(shares['poor_total'])} em; trẻ em dân tộc thiểu số: "
        f"{count_text(children['minority'])} em."
    )
    one.paragraphs.append(
        f"Trong kỳ: đăng ký mới {count_text(children['registered_in_period'])} em; "
        f"ra khỏi danh sách do đủ 16 tuổi {count_text(children['aged_out_in_period'])} em; "
        f"trẻ em khuyết tật {count_text(children['disability'])} em; trẻ em bỏ học "
        f"{count_text(children['out_of_school'])} em."
    )
    # A report leaves the portal (it goes to the district, the province, the archive): small counts of a
    # sensitive group read "< 5", as they would point at the child in a commune.
    group_counts = {
        g.code: small_count_shown(n) if g.sensitive else n
        for g in SPECIAL_CIRCUMSTANCES
        for n in [children["special"]["groups"].get(g.code, 0)]
    }
    one.tables += [
        _age_band_table(children),
        _special_groups_table(children, group_counts),
        _poverty_table(children),
        _ethnicity_table(children),
        _needs_table(children),
    ]
    one.charts.append(
        bar_chart(
            [(f"{g.point}) {g.name}", group_counts[g.code]) for g in SPECIAL_CIRCUMSTANCES],
            title="Biểu đồ 1. Trẻ em có hoàn cảnh đặc biệt theo nhóm",
        )
    )
    return one


def _age_band_table(children: dict) -> Table:
    bands = Table(
        "Bảng 1. Trẻ em theo độ tuổi và giới tính",
        ["Độ tuổi", "Nam", "Nữ", "Tổng số"],
        [TEXT, COUNT, COUNT, COUNT],
    )
    for key in BAND_KEYS:
        male, female = children["bands"][key]["male"], children["bands"][key]["female"]
        bands.rows.append([BAND_LABELS[key], male, female, male + female])
    bands.total = ["Tổng số", children["male"], children["female"], children["total"]]
    return bands


def _special_groups_table(children: dict, group_counts: dict) -> Table:
    groups = Table(
        "Bảng 2. Trẻ em có hoàn cảnh đặc biệt theo nhóm (Điều 10 Luật Trẻ em)",
        ["Nhóm", "Số trẻ em"],
        [TEXT, COUNT],
    )
    for group in SPECIAL_CIRCUMSTANCES:
        groups.rows.append([f"{group.point}) {group.name}", group_counts[group.code]])
    groups.total = ["Số trẻ em có hoàn cảnh đặc biệt (mỗi em tính một lần)", children["special"]["total"]]
    return groups


def _poverty_table(children: dict) -> Table:
    poverty = Table(
        "Bảng 3. Trẻ em theo hoàn cảnh hộ gia đình",
        ["Hộ gia đình", "Số trẻ em", "Tỷ lệ"],
        [TEXT, COUNT, PERCENT],
    )
    for value in (Poverty.POOR, Poverty.NEAR_POOR, Poverty.NONE):
        n = children["poverty"].get(value, 0)
        poverty.rows.append([_label(Poverty, value), n, percent(n, children["total"])])
    return poverty


def _ethnicity_table(children: dict) -> Table:
    ethnic = Table("Bảng 4. Trẻ em theo dân tộc", ["Dân tộc", "Số trẻ em", "Tỷ lệ"], [TEXT, COUNT, PERCENT])
    for code, n in sorted(children["ethnicity"].items(), key=lambda item: (-item[1], item[0])):
        ethnic.rows.append([ethnic_group_name(code), n, percent(n, children["total"])])
    if not ethnic.rows:
        ethnic.rows.append(["Không có", 0, None])
    return ethnic


def _needs_table(children: dict) -> Table:
    needs = Table(
        "Bảng 5. Nhu cầu hỗ trợ theo lĩnh vực (đánh giá năm)",
        ["Lĩnh vực", "Số nhu cầu", "Trong đó cấp thiết"],
        [TEXT, COUNT, COUNT],
    )
    _choice_rows(needs, NeedArea, children["needs"], "total", "high")
    return needs


def support_section(figures: dict, shares: dict) -> Section:
    """II. Support delivered."""
    support = figures["support"]
    two = Section(heading="II. Kết quả hỗ trợ trẻ em", sheet="Hỗ trợ")
    two.paragraphs.append(
        f"Trong kỳ đã thực hiện {count_text(support['count'])} lượt hỗ trợ, tổng giá trị "
        f"{format_vnd(support['value'])}, "
        f"cho {count_text(support['children_supported'])} trẻ em."
    )
    kinds = Table(
        "Bảng 6. Hỗ trợ theo hình thức",
        ["Hình thức", "Số lượt", "Số lượng", "Giá trị"],
        [TEXT, COUNT, COUNT, MONEY],
    )
    _choice_rows(kinds, SupportKind, support["by_kind"], "count", "quantity", "value")
    kinds.total = ["Tổng số", support["count"], sum(r[2] for r in kinds.rows), support["value"]]
    sources = Table("Bảng 7. Hỗ trợ theo nguồn", ["Nguồn", "Số lượt", "Giá trị"], [TEXT, COUNT, MONEY])
    _choice_rows(sources, SupportSource, support["by_source"], "count", "value")
    sources.total = ["Tổng số", support["count"], support["value"]]
    two.tables += [kinds, sources, targets_table(figures, shares)]
    two.charts.append(
        bar_chart(
            [
                (_label(SupportKind, k), support["by_kind"].get(k, {}).get("value", 0))
                for k in SupportKind.values
            ],
            title="Biểu đồ 2. Giá trị hỗ trợ theo hình thức",
            money=True,
        )
    )
    return two


def resources_section(figures: dict, shares: dict) -> Section:
    """III. Resources mobilised."""
    money = figures["money"]
    three = Section(heading="III. Kết quả huy động nguồn lực", sheet="Nguồn lực")
    three.paragraphs.append(
        f"Trong kỳ đã tiếp nhận {count_text(money['count'])} khoản ủng hộ: tiền mặt và chuyển khoản "
        f"{format_vnd(money['cash'])}, hiện vật trị giá {format_vnd(money['goods'])}; tổng cộng "
        f"{format_vnd(money['cash'] + money['goods'])}."
    )
    by_source = Table(
        "Bảng 9. Nguồn lực huy động theo nguồn",
        ["Nguồn", "Số khoản", "Tiền", "Hiện vật (quy đổi)", "Tổng"],
        [TEXT, COUNT, MONEY, MONEY, MONEY],
    )
    for source in SourceCategory.values:
        row = money["by_source"].get(source, {"count": 0, "cash": 0, "goods": 0})
        by_source.rows.append(
            [
                _label(SourceCategory, source),
                row["count"],
                row["cash"],
                row["goods"],
                row["cash"] + row["goods"],
            ]
        )
    by_source.total = [
        "Tổng số",
        money["count"],
        money["cash"],
        money["goods"],
        money["cash"] + money["goods"],
    ]
    campaigns = Table(
        "Bảng 10. Theo chiến dịch, sự kiện", ["Chiến dịch", "Số khoản", "Số tiền"], [TEXT, COUNT, MONEY]
    )
    campaigns.rows = [[c["name"], c["count"], c["amount"]] for c in money["campaigns"]] or [
        ["Không có", 0, 0]
    ]
    donors = Table(
        "Bảng 11. Các nhà tài trợ lớn nhất", ["Nhà tài trợ", "Số khoản", "Số tiền"], [TEXT, COUNT, MONEY]
    )
    donors.rows = [[d["name"], d["count"], d["amount"]] for d in money["top_donors"]] or [["Không có", 0, 0]]
    three.tables += [by_source, campaigns, donors, _salary_drive_table(money, shares)]
    three.charts.append(
        bar_chart(
            [(r[0], r[4]) for r in by_source.rows],
            title="Biểu đồ 3. Nguồn lực huy động theo nguồn",
            money=True,
        )
    )
    return three


def _salary_drive_table(money: dict, shares: dict) -> Table:
    drive = money["salary_drive"]
    salary = Table(
        "Bảng 12. Vận động ủng hộ một ngày lương theo cơ quan, đơn vị",
        ["Cơ quan, đơn vị", "Số người", "Phải nộp", "Đã nộp", "Tỷ lệ"],
        [TEXT, COUNT, MONEY, MONEY, PERCENT],
    )
    salary.rows = [
        [a["name"], a["headcount"], a["expected"], a["paid"], percent(a["paid"], a["expected"])]
        for a in drive["agencies"]
    ] or [["Không có", 0, 0, 0, None]]
    salary.total = [
        f"Tổng số ({count_text(drive['agencies_count'])} cơ quan)",
        drive["headcount"],
        drive["expected"],
        drive["paid"],
        shares["salary_drive"],
    ]
    return salary


def incidents_section(figures: dict) -> Section:
    """IV. Incidents."""
    incidents = figures["incidents"]
    four = Section(heading="IV. Tình hình xâm hại, tai nạn, thương tích trẻ em", sheet="Vụ việc")
    total = incidents.get("total", 0)
    four.paragraphs.append(
        f"Trong kỳ ghi nhận {count_text(total)} vụ việc, trong đó "
        f"{count_text(incidents.get('urgent', 0))} vụ khẩn cấp."
        if total
        else "Trong kỳ không ghi nhận vụ việc nào (0 vụ việc)."
    )
    table = Table("Bảng 13. Vụ việc theo loại", ["Loại vụ việc", "Số vụ"], [TEXT, COUNT])
    table.rows = [
        [
            _label(IncidentKind, k),
            small_count_shown(incidents.get(k, 0)) if k in SENSITIVE_INCIDENT_KINDS else incidents.get(k, 0),
        ]
        for k in IncidentKind.values
    ]
    table.total = ["Tổng số", total]
    four.tables.append(table)
    return four


#: How a report names its lines: (the kinds of unit, the short word), by the lines' level and the
#: report's: a district's communes are the source documents' "xã, thị trấn"; a province's communes are
#: today's "xã, phường, đặc khu"; a province's districts "huyện, thị xã, thành phố".
LINE_WORDS = {
    ("commune", "district"): ("xã, thị trấn", "xã"),
    ("commune", "province"): ("xã, phường, đặc khu", "xã"),
    ("district", "province"): ("huyện, thị xã, thành phố", "huyện"),
}


def line_words(figures: dict) -> tuple[str, str]:
    levels = {line.get("level", "commune") for line in figures["communes"]}
    line_level = "district" if levels == {"district"} else "commune"
    return LINE_WORDS.get((line_level, figures["unit"]["level"]), LINE_WORDS[("commune", "district")])


def communes_section(figures: dict, shares: dict, completeness: list[dict] | None) -> Section:
    """V. The lines (communes or districts, for a district and above): their main figures, and whether
    they reported on time."""
    children, support = figures["children"], figures["support"]
    kinds, word = line_words(figures)
    five = Section(heading=f"V. Tổng hợp theo {kinds}", sheet=f"Các {word}")
    lines = Table(
        f"Bảng 14. Số liệu chính của các {kinds}",
        [
            kinds[:1].upper() + kinds[1:],
            "Số trẻ em",
            "TE có HCĐB",
            "TE hộ nghèo, cận nghèo",
            "TE được hỗ trợ",
            "Giá trị hỗ trợ",
            "Vụ việc",
        ],
        [TEXT, COUNT, COUNT, COUNT, COUNT, MONEY, COUNT],
    )
    for line in figures["communes"]:
        name = line["name"] + ("" if line["source"] == "accepted" else " (*)")
        lines.rows.append(
            [
                name,
                line["children"],
                line["special"],
                line["poor"],
                line["supported"],
                line["support_value"],
                line["incidents"],
            ]
        )
    lines.total = [
        "Tổng số",
        children["total"],
        children["special"]["total"],
        shares["poor_total"],
        support["children_supported"],
        support["value"],
        figures["incidents"].get("total", 0),
    ]
    five.paragraphs.append(
        f"(*) Số liệu lấy từ cơ sở dữ liệu tại thời điểm lập báo cáo: báo cáo của {word} chưa được duyệt."
    )
    five.tables.append(lines)
    if completeness is not None:
        _add_completeness(five, completeness, kinds, word)
    return five


def _add_completeness(five: Section, completeness: list[dict], kinds: str, word: str) -> None:
    """The lines' own reports: how many came in, how many on time, and each one's date."""
    reported = sum(1 for row in completeness if row["timeliness"] in (Timeliness.ON_TIME, Timeliness.LATE))
    on_time = sum(1 for row in completeness if row["timeliness"] == Timeliness.ON_TIME)
    five.paragraphs.append(
        f"Tình hình báo cáo của các {word}: {reported}/{len(completeness)} {word} đã nộp "
        f"(tỷ lệ đầy đủ {percent_text(percent(reported, len(completeness)))}), "
        f"{on_time} {word} nộp đúng hạn (tỷ lệ đúng hạn "
        f"{percent_text(percent(on_time, len(completeness)))})."
    )
    status = Table(
        f"Bảng 15. Tình hình nộp báo cáo của các {kinds}",
        [kinds[:1].upper() + kinds[1:], "Hạn nộp", "Ngày nộp", "Tình trạng"],
        [TEXT, TEXT, TEXT, TEXT],
    )
    for row in completeness:
        status.rows.append(
            [
                row["unit"].name,
                date_text(row["due_on"]),
                date_text(timezone.localdate(row["submitted_at"])) if row["submitted_at"] else "",
                TIMELINESS_VI[row["timeliness"]],
            ]
        )
    five.tables.append(status)


def assessment_section(report: Report, figures: dict) -> Section:
    """VI (V for a commune). The officer's narrative: results, difficulties, proposals."""
    six = Section(
        heading=f"{'VI' if figures.get('communes') is not None else 'V'}. Đánh giá chung", sheet="Đánh giá"
    )
    for title, text in (
        ("Kết quả", report.results),
        ("Khó khăn, vướng mắc", report.difficulties),
        ("Kiến nghị, đề xuất", report.proposals),
    ):
        six.paragraphs.append(f"<b>{title}:</b>")
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        six.paragraphs += [escape(line) for line in lines] or ["(Chưa có nội dung.)"]
    return six
