"""Every PDF the portal makes, read back from the file: the tables fit the page's width, the signer's
name and position are printed, and no name or header is cut (issue 19)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from campaigns.documents import gift_list_signing_sheet
from campaigns.models import Campaign
from campaigns.services.campaigns import campaign_save
from campaigns.services.gift_lists import gift_list_build
from donations.documents import disbursement_voucher_pdf, donation_receipt_pdf
from donations.models import Disbursement, DonationKind, RecipientKind
from donations.services.disbursements import disbursement_approve, disbursement_propose
from donations.services.donations import donation_create, donation_post
from fund_portal.models import AdministrativeUnit, Role
from fund_portal.pdf import issuer_lines
from reports.documents.parts import COUNT, MONEY, TEXT, Table, bar_chart
from reports.documents.pdf import report_pdf, report_subject
from reports.services.reports import report_build
from tests.factories import DonorFactory, UserFactory, give_totp
from tests.papers.layout import on_one_line, pdf_pages, text_of, words_outside
from tests.reports.conftest import YEAR, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def yesterday():
    return timezone.localdate() - dt.timedelta(days=1)


#: Decree 30/2020/NĐ-CP's margins of the official papers; the signing sheet's own, narrower ones.
OFFICIAL = {"left_mm": 30, "right_mm": 15}
SHEET = {"left_mm": 20, "right_mm": 12}


@pytest.fixture
def papers(district):
    """The district's fund and units with what their papers print: an address, a tax code, signers."""
    fund = district["district_fund"]
    fund.governing_body, fund.place = "UBND huyện Một", "Huyện Một"
    fund.address, fund.tax_code = "Số 12 đường Lê Lợi, thị trấn Huyện Một, tỉnh Thử Nghiệm", "2801234567"
    fund.director_name, fund.treasurer_name = "Lê Thị Lan", "Đặng Thị Thu"
    fund.save()
    # A long commune name: its People's Committee must still print on two whole lines.
    AdministrativeUnit.objects.filter(pk=district["a"].pk).update(
        name="Xã Đông Thanh Lâm", signer_name="Nguyễn Văn Bình", signer_title="Chủ tịch"
    )
    AdministrativeUnit.objects.filter(pk=district["d1"].pk).update(
        signer_name="Trần Thị Hoa", signer_title="Phó Chủ tịch"
    )
    for key in ("a", "d1"):
        district[key].refresh_from_db()
    return {**district, "fund": fund}


def check_fits(data: bytes, margins: dict) -> list:
    pages = pdf_pages(data)
    outside = words_outside(pages, **margins)
    assert not outside, [(w.page, w.text, round(w.x1, 1)) for w in outside]
    assert all(round(page.width) == 595 for page in pages)  # A4 portrait
    return pages


def test_a_bank_transfer_receipt_has_the_funds_details_and_only_the_collector_signs(papers, yesterday):
    donor = DonorFactory(unit=papers["fund"].unit, name="Công ty Cổ phần Mía đường Lam Sơn Thanh Hóa")
    donation = donation_post(
        donation=donation_create(
            fund=papers["fund"],
            amount=12_500_000,
            received_on=yesterday,
            donor=donor,
            kind=DonationKind.TRANSFER,
            transfer_reference="QBTTE 0001",
        ),
        by=None,
    )
    pages = check_fits(donation_receipt_pdf(donation=donation), OFFICIAL)
    text = text_of(pages)
    for phrase in (
        "Mẫu số: C45-BB",
        "Quyển số: 01",
        "Địa chỉ: Số 12 đường Lê Lợi, thị trấn Huyện Một, tỉnh Thử Nghiệm",
        "Mã số thuế: 2801234567",
        "Người thu tiền",
        "Đặng Thị Thu",
        "Mười hai triệu năm trăm nghìn đồng",
    ):
        assert phrase in text, phrase
    assert donation.receipt_number in text and donation.receipt_number.startswith("HUYEN-MOT-")
    local = timezone.localtime(donation.posted_at).date()
    assert on_one_line(pages, f"Huyện Một, ngày {local.day:02d} tháng")
    assert on_one_line(pages, "QUỸ BẢO TRỢ TRẺ EM") and on_one_line(pages, "HUYỆN MỘT")
    assert "Người nộp tiền" not in text  # the payer of a transfer is not there to sign


def test_a_cash_receipt_has_the_payer_and_the_collector_sign(papers, yesterday):
    donation = donation_post(
        donation=donation_create(
            fund=papers["fund"], amount=2_021_000, received_on=yesterday, donor_name="Bà Nguyễn Thị Hạnh"
        ),
        by=None,
    )
    pages = check_fits(donation_receipt_pdf(donation=donation), OFFICIAL)
    assert on_one_line(pages, "Người nộp tiền") and on_one_line(pages, "Người thu tiền")
    assert on_one_line(pages, "Bà Nguyễn Thị Hạnh") and on_one_line(pages, "Đặng Thị Thu")
    assert "Hai triệu không trăm hai mươi mốt nghìn đồng" in text_of(pages)


@pytest.fixture
def approved(papers):
    proposal = disbursement_propose(
        by=papers["officer_a"],
        fund=papers["fund"],
        amount=12_500_000,
        recipient_kind=RecipientKind.PLAY_AREA,
        recipient_unit=papers["a"],
        purpose="Mua thiết bị khu vui chơi cho trẻ em thôn 1 nhân dịp Tết Trung thu",
        spent_on=timezone.localdate(),
    )
    return disbursement_approve(disbursement=proposal, by=papers["staff_d1"])


def test_an_approved_disbursement_has_a_payment_voucher(papers, approved):
    pages = check_fits(disbursement_voucher_pdf(disbursement=approved), OFFICIAL)
    text = text_of(pages)
    for phrase in (
        "PHIẾU CHI",
        "Mẫu số: C41-BB",
        approved.voucher_number,
        "Ủy ban nhân dân Xã Đông Thanh Lâm",
        "Lý do chi: Mua thiết bị khu vui chơi cho trẻ em thôn 1 nhân dịp Tết Trung thu",
        "12.500.000",
        "Mười hai triệu năm trăm nghìn đồng",
    ):
        assert phrase in text, phrase
    for role in ("Người duyệt chi", "Người lập phiếu", "Người nhận tiền"):
        assert on_one_line(pages, role), role
    approver, maker = papers["staff_d1"], papers["officer_a"]
    for person in (approver, maker):
        name = f"{person.last_name} {person.first_name}".strip() or person.username
        assert on_one_line(pages, name), name


def test_the_voucher_downloads_from_the_disbursements_admin_page_within_scope(client, papers, approved):
    url = reverse("admin:donations_disbursement_voucher", args=[approved.pk])
    client.force_login(papers["staff_d1"])
    page = client.get(reverse("admin:donations_disbursement_change", args=[approved.pk]))
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert approved.voucher_number in text_of(pdf_pages(response.content))
    client.force_login(papers["staff_d2"])  # another district's staff
    assert client.get(url).status_code == 404
    auditor = UserFactory(role=Role.AUDITOR, unit=papers["d1"], username="kiemtra")
    give_totp(auditor)
    client.force_login(auditor)  # a read: the auditor may
    assert client.get(url).status_code == 200
    client.force_login(papers["staff_d1"])
    proposed = Disbursement.objects.create(
        fund=papers["fund"],
        amount=1_000,
        purpose="Chưa duyệt",
        spent_on=timezone.localdate(),
        created_by=papers["officer_a"],
    )
    assert client.get(reverse("admin:donations_disbursement_voucher", args=[proposed.pk])).status_code == 404


@pytest.mark.parametrize("level", ["commune", "district"])
def test_a_report_prints_whole_and_is_signed(papers, level):
    unit = papers["a"] if level == "commune" else papers["d1"]
    report = report_build(kind=papers["kinds"][("annual", level)], unit=unit, year=YEAR, render=False)
    pages = check_fits(report_pdf(report=report), OFFICIAL)
    text = text_of(pages)
    assert on_one_line(pages, "ỦY BAN NHÂN DÂN")
    assert on_one_line(pages, "XÃ ĐÔNG THANH LÂM" if level == "commune" else "HUYỆN MỘT")
    assert on_one_line(pages, "TM. ỦY BAN NHÂN DÂN")
    if level == "commune":
        assert on_one_line(pages, "CHỦ TỊCH") and on_one_line(pages, "Nguyễn Văn Bình")
    else:  # a deputy signs for the chairman
        assert on_one_line(pages, "KT. CHỦ TỊCH") and on_one_line(pages, "PHÓ CHỦ TỊCH")
        assert on_one_line(pages, "Trần Thị Hoa")
    assert "BÁO CÁO" in text and "Báo cáo năm" not in text  # the subject does not say "Báo cáo" again
    assert "Kết quả công tác bảo vệ, chăm sóc trẻ em năm 2026" in text
    if level == "commune":  # a table of zeros is left out with a word (the commune has no salary drive)
        assert "Không có số liệu trong kỳ báo cáo." in text
    assert "Bảng 1. Trẻ em theo độ tuổi và giới tính" in text


def test_the_province_report_prints_whole_with_its_districts_and_the_signer_its_addressing_names(papers):
    """The province's report (three levels: its lines are the districts), signed by whom its addressing
    says (a deputy chairman), sent to the bodies that exist since 2025."""
    from reports.models import ReportAddressing
    from reports.services.reports import report_kind_for

    province = papers["province"]
    ReportAddressing.objects.create(
        unit=province,
        signer_title="Phó Chủ tịch",
        signer_name="Lê Đức Giang",
    )
    kind = report_kind_for(cadence="annual", unit=province)
    report = report_build(kind=kind, unit=province, year=YEAR, render=False)
    pages = check_fits(report_pdf(report=report), OFFICIAL)
    text = text_of(pages)
    assert on_one_line(pages, "TỈNH THỬ NGHIỆM")
    assert on_one_line(pages, "TM. ỦY BAN NHÂN DÂN") and on_one_line(pages, "KT. CHỦ TỊCH")
    assert on_one_line(pages, "PHÓ CHỦ TỊCH") and on_one_line(pages, "Lê Đức Giang")
    assert "Bảng 14. Số liệu chính của các huyện, thị xã, thành phố" in text
    assert "Huyện Một" in text and "Huyện Hai" in text
    assert "Bộ Y tế (Cục Bà mẹ và Trẻ em)" in text


@pytest.fixture
def gift_list(papers):
    today = timezone.localdate()
    for n, name in enumerate(
        ("Nguyễn Thị Phương Thảo Linh", "Hoàng Văn Trường Giang", "Lò Thị Mai"), start=1
    ):
        register(
            papers["officer_a"],
            papers["a"],
            name,
            today.replace(year=today.year - 6 - n),
            guardian_name="Nguyễn Thị Thanh Hương",
            guardian_relationship="bà ngoại",
            village=papers["va"],
        )
    campaign = campaign_save(
        campaign=Campaign(
            name="Tết Trung thu năm 2026 cho trẻ em có hoàn cảnh đặc biệt",
            slug="trung-thu-danh-sach-ky-nhan",
            kind="mid_autumn",
            unit=papers["d1"],
            starts_on=today - dt.timedelta(days=10),
            ends_on=today + dt.timedelta(days=10),
        ),
        by=papers["staff_d1"],
        communes=[papers["a"]],
    )
    return gift_list_build(campaign=campaign, by=papers["staff_d1"], kind="gift", value=12_500_000, count=10)


def test_the_signing_sheet_fits_one_a4_width_with_room_to_sign(papers, gift_list):
    pdf, _name = gift_list_signing_sheet(gift_list=gift_list, user=papers["staff_d1"])
    pages = check_fits(pdf, SHEET)
    header = on_one_line(pages, "Ký nhận")
    assert header, "the signature column's header"
    column_right = pages[0].width - SHEET["right_mm"] * 72 / 25.4
    assert column_right - header[0].x0 > 60  # the column itself is wide enough to sign in
    assert on_one_line(pages, "ỦY BAN NHÂN DÂN") and on_one_line(pages, "XÃ ĐÔNG THANH LÂM")
    assert on_one_line(pages, "TM. ỦY BAN NHÂN DÂN") and on_one_line(pages, "CHỦ TỊCH")
    assert on_one_line(pages, "Nguyễn Văn Bình") and on_one_line(pages, "NGƯỜI LẬP DANH SÁCH")
    count = gift_list.entries.count()
    words = text_of(pages)
    assert f"Tổng cộng: {count} suất" in words
    assert "Tổng số tiền (viết bằng chữ):" in words and "đồng" in words
    assert "Đông Thanh Lâm, ngày" in words


def test_a_chart_prints_its_labels_whole_and_a_chart_of_zeros_is_a_line():
    long = "Trẻ em mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày thuộc hộ nghèo hoặc hộ cận nghèo"
    chart = bar_chart([(long, 3), ("Ngắn", 1)], title="Biểu đồ")
    labels = re.findall(r'<td class="chart-label">([^<>]+)</td>', chart)
    assert labels == [long, "Ngắn"]  # whole: the cell wraps it, never cuts it
    assert re.findall(r'class="bar" style="width: ([\d.]+)pt"', chart) == ["150.0", "50.0"]
    empty = bar_chart([(long, 0), ("Ngắn", 0)], title="Biểu đồ 2")
    assert "<table" not in empty and "không có số liệu" in empty


def targets_like(result: str, population: str) -> Table:
    from reports.documents.parts import PERCENT

    table = Table(
        "Bảng 8. Kết quả so với chỉ tiêu kế hoạch",
        ["Chỉ tiêu", "Kết quả", "Tỷ lệ đạt", "Chỉ tiêu kế hoạch", "Mẫu số"],
        [TEXT, TEXT, PERCENT, TEXT, TEXT],
        wrapped={4: 22.0},
    )
    table.rows = [
        ["Trẻ em có hoàn cảnh đặc biệt được hỗ trợ", result, 52.6, "Chưa giao", "Danh sách quản lý"],
        [
            "Trẻ em dưới 16 tuổi trong danh sách quản lý",
            population,
            100.0,
            "99 %",
            "Dân số (Chi cục Thống kê tỉnh Thử Nghiệm, 2026)",
        ],
    ]
    return table


@pytest.mark.parametrize(
    ("result", "population", "fixed"),
    [("1.234/5.678", "12.345/56.789", True), ("123.456/234.567", "1.234.567/2.345.678", False)],
)
def test_a_table_s_short_text_columns_are_as_wide_as_their_values_and_a_wrapped_one_wraps(
    result, population, fixed
):
    """Bảng 8's way: widths from the values as the shipped font prints them (no measuring of every word
    by the automatic layout), so a result prints whole on one line and a long base wraps inside its
    share. Values too wide for that (a province's largest) leave the table to the automatic layout."""
    from fund_portal.pdf import render_pdf
    from reports.documents.parts import Section

    table = targets_like(result, population)
    widths = table.column_widths
    if fixed:
        assert widths[4] == 22.0 and round(sum(widths)) == 100 and widths[0] > 30
    else:
        assert widths is None
    section = Section(heading="II. Kết quả", sheet="Kết quả", tables=[table])
    data = render_pdf(
        template_name="reports/pdf/report.html",
        context={"title": "Báo cáo", "period_text": "Kỳ báo cáo", "sections": [section]},
    )
    pages = check_fits(data, OFFICIAL)
    for value in (result, population, "52,6 %", "100,0 %", "Chưa giao", "Danh sách quản lý"):
        assert on_one_line(pages, value), value
    base = "Dân số (Chi cục Thống kê tỉnh Thử Nghiệm, 2026)"
    assert base in text_of(pages) and not on_one_line(pages, base)  # wrapped within its column


def test_the_font_s_widths_are_the_printed_widths():
    """The widths a fixed table is laid out with are those poppler reads back from the PDF (within a
    point: a phrase's spaces)."""
    from fund_portal.pdf import render_pdf, text_width_pt

    words = ["1.234.567/2.345.678", "150,0 %", "Chưa giao", "12.500.000 ₫", "Nguyễn Thị Ánh Tuyết"]
    body = "".join(f'<p style="font-size: 12pt">{word}</p>' for word in words)
    pages = pdf_pages(render_pdf(template_name="pdf/official_base.html", context={"body": mark_safe(body)}))
    for word in words:
        run = on_one_line(pages, word)
        assert run, word
        printed, estimate = run[-1].x1 - run[0].x0, text_width_pt(word, 12)
        assert -0.5 < estimate - printed < 1.0, (word, printed, estimate)  # never narrower than printed


def test_a_table_is_empty_when_all_its_numbers_are_zero():
    table = Table(
        "Bảng", ["Nguồn", "Số lượt", "Giá trị"], [TEXT, COUNT, MONEY], rows=[["A", 0, 0], ["B", 0, None]]
    )
    assert table.is_empty
    table.rows.append(["C", 1, 0])
    assert not table.is_empty


def test_the_subject_does_not_repeat_the_kind_of_paper():
    assert report_subject("Báo cáo sơ kết 6 tháng công tác bảo vệ, chăm sóc trẻ em", 2026) == (
        "Sơ kết 6 tháng công tác bảo vệ, chăm sóc trẻ em năm 2026"
    )
    assert report_subject("Báo cáo năm công tác bảo vệ, chăm sóc trẻ em (tổng hợp toàn huyện)", 2026) == (
        "Kết quả công tác bảo vệ, chăm sóc trẻ em năm 2026 (tổng hợp toàn huyện)"
    )


def test_an_issuing_bodys_name_breaks_only_between_the_body_and_its_unit():
    assert issuer_lines("Ủy ban nhân dân xã Dân Lý") == ["Ủy ban nhân dân", "xã Dân Lý"]
    assert issuer_lines("Quỹ Bảo trợ trẻ em huyện Triệu Sơn") == ["Quỹ Bảo trợ trẻ em", "huyện Triệu Sơn"]
    assert issuer_lines("UBND huyện Triệu Sơn") == ["UBND huyện Triệu Sơn"]
