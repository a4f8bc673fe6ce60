"""Figures by SQL aggregates, the consolidation, the PDF and the XLSX read back, the command."""

import io
import json
import subprocess

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from children.services.registry import child_register
from fund_portal.models import UnitLevel
from reports.documents.xlsx import report_xlsx
from reports.figures.compute import additive_sections, compute_figures, sum_sections
from reports.models import Report, ReportStatus
from reports.services.reports import report_accept, report_build, report_submit
from tests.factories import UnitFactory
from tests.reports.conftest import END, YEAR, aged, d, register

pytestmark = pytest.mark.django_db


def figures_of(unit):
    return compute_figures(unit=unit, start=d(1, 1), end=END, year=YEAR)


def pdf_text(data: bytes) -> tuple[str, list[str]]:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return "\n".join(pages), pages


def test_a_commune_counts_its_children_by_group_sex_band_poverty_and_ethnicity(district):
    figures = figures_of(district["a"])
    children = figures["children"]
    assert (children["total"], children["male"], children["female"]) == (3, 2, 1)
    assert children["bands"]["0-2"] == {"male": 1, "female": 0}
    assert children["bands"]["6-10"] == {"male": 0, "female": 1}
    assert children["bands"]["11-15"] == {"male": 1, "female": 0}
    assert children["poverty"] == {"none": 1, "poor": 1, "near_poor": 1}
    assert children["ethnicity"] == {"01": 2, "02": 1}
    assert children["minority"] == 1
    assert children["special"] == {"total": 2, "new_in_period": 1, "groups": {"G01": 1, "G05": 1}}
    assert children["needs"] == {
        "nutrition_health": {"total": 1, "high": 1},
        "education": {"total": 1, "high": 0},
    }
    support = figures["support"]
    assert support["count"] == 2 and support["value"] == 1_500_000  # the gift of 20/11 is after the period
    assert support["by_kind"]["cash"] == {"count": 1, "quantity": 1, "value": 500_000}
    assert support["by_source"]["state_budget"] == {"count": 1, "value": 1_000_000}
    assert (support["children_supported"], support["special_supported"], support["poor_supported"]) == (
        2,
        2,
        2,
    )
    assert figures["incidents"]["drowning"] == 1 and figures["incidents"]["total"] == 1
    money = figures["money"]
    assert (money["count"], money["cash"], money["goods"]) == (2, 1_500_000, 2_500_000)
    assert "communes" not in figures


def test_the_district_equals_the_sum_of_its_communes_and_money_adds_the_district_fund(district):
    whole = figures_of(district["d1"])
    parts = [figures_of(district["a"]), figures_of(district["b"])]
    assert additive_sections(whole) == sum_sections(parts)
    assert whole["children"]["total"] == 5  # commune C of the other district is not counted
    assert whole["incidents"]["total"] == 1 and whole["incidents"]["injury"] == 0
    money = whole["money"]
    for key in ("count", "cash", "goods"):
        assert money[key] == sum(p["money"][key] for p in parts) + money["own"][key]
    assert money["cash"] == 1_500_000 + 20_000_000 + 3_000_000 + 4_000_000 + 6_000_000
    assert money["by_source"]["poor_fund"]["cash"] == 4_000_000
    assert money["campaigns"] == [{"name": "Tết Trung thu 2026", "count": 1, "amount": 20_000_000}]
    assert [r["name"] for r in money["top_donors"]] == [
        "Công ty TNHH Hảo Tâm",
        "Phòng Giáo dục huyện",
        "Nhà hảo tâm (ẩn danh)",  # the donor asked to stay anonymous
    ]
    assert money["salary_drive"]["expected"] == 10_000_000 and money["salary_drive"]["paid"] == 6_000_000
    support = whole["support"]
    assert support["difficult"] == {"communes": 1, "target_children": 2, "health_checked": 1, "nutrition": 1}
    assert support["play_equipment"] == {"communes_in_period": 1, "communes_to_date": 1}
    assert [line["name"] for line in whole["communes"]] == ["Xã An", "Xã Bình"]


def test_a_report_counts_the_children_on_the_list_at_its_periods_end(district):
    """A report built later does not count children registered after its period (issue 19: a report "to
    15/05/2026" counted five children registered on 02/12/2026)."""
    before = figures_of(district["a"])["children"]
    child = child_register(
        by=district["officer_a"],
        full_name="Đỗ Văn Muộn",
        birth_date=aged(5),
        sex="male",
        commune=district["a"],
        confirm_not_duplicate=True,
    )
    assert child.created_at.date() > END
    after = figures_of(district["a"])["children"]
    assert after["total"] == before["total"] == 3
    assert after["registered_in_period"] == before["registered_in_period"]
    register(district["officer_a"], district["a"], "Đỗ Văn Đúng", aged(6), registered_on=END)
    assert figures_of(district["a"])["children"]["total"] == 4


def test_the_district_report_consolidates_the_accepted_commune_reports_as_they_were_frozen(district):
    kinds = district["kinds"]
    report = report_build(kind=kinds[("annual", "commune")], unit=district["a"], year=YEAR, render=False)
    report_submit(report=report, by=district["officer_a"])
    report_accept(report=Report.objects.get(pk=report.pk), by=district["staff_d1"])
    frozen = Report.objects.get(pk=report.pk).figures
    # Entered after the commune's report was accepted, with a registration date in the period.
    register(district["officer_a"], district["a"], "Đỗ Văn Mới", aged(5), registered_on=d(11, 1))
    assert figures_of(district["a"])["children"]["total"] == 4
    district_report = report_build(
        kind=kinds[("annual", "district")], unit=district["d1"], year=YEAR, render=False
    )
    figures = district_report.figures
    assert additive_sections(figures) == sum_sections([frozen, figures_of(district["b"])])
    assert figures["children"]["total"] == 3 + 2
    assert [(c["name"], c["source"]) for c in figures["communes"]] == [
        ("Xã An", "accepted"),
        ("Xã Bình", "live"),
    ]


def test_the_pdf_is_an_official_vietnamese_document_with_page_numbers_and_only_the_shipped_font(
    district, tmp_path
):
    kinds = district["kinds"]
    report = report_build(kind=kinds[("annual", "commune")], unit=district["a"], year=YEAR)
    report = report_submit(report=report, by=district["officer_a"])
    data = report.pdf.read()
    text, pages = pdf_text(data)
    for words in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN XÃ AN",
        "Số: 01/BC-UBND",
        "BÁO CÁO",
        "Kết quả công tác bảo vệ, chăm sóc trẻ em năm 2026",
        "từ ngày 01/01/2026 đến ngày 10/11/2026",
        "Trẻ em mồ côi cả cha và mẹ",
        "Đuối nước",
        "Nơi nhận:",
        "- Ủy ban nhân dân huyện Một;",  # the body that exists today, not the office abolished in 2025
        "TM. ỦY BAN NHÂN DÂN",
        "1.500.000 ₫",
    ):
        assert words in text, words
    local = report.submitted_at.astimezone().date()
    assert f"An, ngày {local.day:02d} tháng" in text
    assert "Nguyễn Văn An" not in text and "Lê Thị Bình" not in text  # counts, never names
    assert len(pages) >= 2
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    for number in (1, 2):  # the page number heads page 2, none on page 1 (Decree 30)
        page = subprocess.run(
            ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        first_line = next(line.strip() for line in page.splitlines() if line.strip())
        assert (first_line == "2") == (number == 2), first_line
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert names and all("Fund-Portal-Serif" in name for name in names), fonts


def test_the_district_pdf_has_the_communes_table_and_their_reporting_status(district):
    kinds = district["kinds"]
    a = report_build(kind=kinds[("annual", "commune")], unit=district["a"], year=YEAR, render=False)
    report_submit(report=a, by=district["officer_a"])
    report = report_build(kind=kinds[("annual", "district")], unit=district["d1"], year=YEAR)
    text, _pages = pdf_text(report.pdf.read())
    assert "Tổng hợp theo xã, thị trấn" in text
    assert "Tình hình nộp báo cáo của các xã, thị trấn" in text
    assert "Xã An" in text and "Xã Bình" in text and "Xã Cường" not in text
    assert "1/2 xã đã nộp" in text
    assert "Muộn" in text and "Chưa nộp" in text  # submitted after 15/11/2026; B never submitted


def test_a_unit_with_no_data_gets_a_report_of_zeros(district):
    kinds = district["kinds"]
    empty = UnitFactory(code="90202", name="Xã Trống", level=UnitLevel.COMMUNE, parent=district["d2"])
    report = report_build(kind=kinds[("semiannual", "commune")], unit=empty, year=2025)
    figures = report.figures
    assert figures["children"]["total"] == 0 and figures["support"]["count"] == 0
    assert figures["money"]["count"] == 0 and figures["incidents"]["total"] == 0
    text, _pages = pdf_text(report.pdf.read())
    assert "Tổng số trẻ em trong danh sách quản lý đến ngày 15/05/2025: 0 em" in text
    assert "Trong kỳ không ghi nhận vụ việc nào (0 vụ việc)." in text
    assert "0 ₫" in text


def test_every_report_exports_as_xlsx(district):
    kinds = district["kinds"]
    report = report_build(kind=kinds[("annual", "district")], unit=district["d1"], year=YEAR, render=False)
    book = CalamineWorkbook.from_filelike(io.BytesIO(report_xlsx(report=report)))
    assert book.sheet_names[:5] == ["Thông tin", "Trẻ em", "Hỗ trợ", "Nguồn lực", "Vụ việc"]
    rows = book.get_sheet_by_name("Nguồn lực").to_python()
    total = next(r for r in rows if r and r[0] == "Tổng số" and len(r) >= 5 and r[4] != "")
    assert total[2] == 34_500_000 and total[3] == 2_500_000  # numbers stay numbers
    communes = book.get_sheet_by_name("Các xã").to_python()
    assert any(r[0] == "Xã An (*)" and r[1] == 3 for r in communes)


def test_build_report_writes_the_pdf_and_json_prints_the_figures(district, tmp_path, capsys):
    out = tmp_path / "bao-cao.pdf"
    call_command("build_report", kind="annual", year=YEAR, unit="90101", out=str(out))
    text, _pages = pdf_text(out.read_bytes())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "XÃ AN" in text
    assert Report.objects.get(unit=district["a"]).status == ReportStatus.DRAFT
    capsys.readouterr()
    call_command("build_report", kind="semiannual", year=YEAR, unit="901", json=True)
    figures = json.loads(capsys.readouterr().out)
    assert figures["unit"]["name"] == "Huyện Một" and figures["period"]["end"] == "2026-05-15"
    assert figures["children"]["total"] == 5
    assert Report.objects.filter(unit=district["d1"]).count() == 0  # --json saves nothing


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"unit": "99999"}, "Không có đơn vị hành chính nào có mã “99999”."),
        ({"unit": "90101", "user": "hai"}, "Xã An nằm ngoài đơn vị của bạn."),
        ({"unit": "90101-01"}, "Không có báo cáo năm nào do đơn vị cấp thôn"),
        ({"unit": "90101", "year": 1990}, "1990 không phải là năm"),
    ],
)
def test_build_report_refuses_bad_input_in_vietnamese_and_writes_nothing(
    district, tmp_path, options, message
):
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError) as refused:
        call_command("build_report", **{"kind": "annual", "year": YEAR, "out": str(out), **options})
    assert message in str(refused.value)
    assert not out.exists() and Report.objects.count() == 0
