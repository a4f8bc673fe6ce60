"""Journey 3: a commune proposes support on its phone; district staff log in with a TOTP code, approve the
proposal (maker-checker), accept the commune's six-month report and download its PDF."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from donations.models import Disbursement, DisbursementStatus
from donations.services.donations import donation_create, donation_post
from reports.models import ReportKind, ReportStatus
from reports.services.reports import report_build, report_narrative_save, report_submit
from tests.factories import TEST_PASSWORD, FundFactory, give_totp, officer, report_calendar_seed, staff

from .helpers import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def submitted_six_month_report(*, commune, by):
    kind = ReportKind.objects.get(
        cadence="semiannual", submitter_level="commune", consolidator_level="district"
    )
    report = report_build(kind=kind, unit=commune, year=timezone.localdate().year, by=by, render=False)
    report_narrative_save(
        report=report,
        by=by,
        results="Đã rà soát và hỗ trợ trẻ em có hoàn cảnh đặc biệt.",
        difficulties="Kinh phí còn hạn chế.",
        proposals="Đề nghị huyện hỗ trợ thêm.",
    )
    return report_submit(report=report, by=by)


def test_district_staff_log_in_with_totp_approve_a_communes_proposal_and_accept_its_report_as_a_pdf(
    tree, new_context, shot, tmp_path
):
    report_calendar_seed()
    today = timezone.localdate()
    fund = FundFactory(unit=tree["d1"], name="Quỹ Bảo trợ trẻ em Huyện Một", code="huyen-mot")
    donation_post(donation=donation_create(fund=fund, amount=10_000_000, received_on=today), by=None)
    commune_officer = officer(tree["a"], username="canbo.an")
    lan = staff(tree["d1"], username="lan", with_totp=False)
    secret = give_totp(lan)
    report = submitted_six_month_report(commune=tree["a"], by=commune_officer)

    phone = new_context(PHONE).new_page()
    log_in(phone, "canbo.an", TEST_PASSWORD)
    phone.goto("/portal/money/propose/")
    proposal = phone.locator("form:has(input[name=purpose])")
    proposal.locator("select[name=fund]").select_option(str(fund.pk))
    proposal.locator("input[name=amount]").fill("2.400.000")
    proposal.locator("input[name=purpose]").fill("Sữa cho trẻ suy dinh dưỡng Xã An")
    proposal.locator("select[name=need_area]").select_option("nutrition_health")
    proposal.locator("input[name=spent_on]").fill(today.strftime("%d/%m/%Y"))
    shot(phone, "commune-proposal")
    proposal.locator("button[type=submit]").click()
    phone.wait_for_url("**/portal/money/")
    shot(phone, "proposal-sent")
    proposed = Disbursement.objects.get(purpose="Sữa cho trẻ suy dinh dưỡng Xã An")
    assert (proposed.status, proposed.amount, proposed.created_by) == (
        DisbursementStatus.PROPOSED,
        2_400_000,
        commune_officer,
    )

    desk = new_context(DESKTOP).new_page()
    log_in(desk, "lan", TEST_PASSWORD, totp_secret=secret, shot=shot)
    expect(desk).to_have_url(re.compile(r"/admin/$"))
    shot(desk, "admin-after-totp")

    desk.goto("/admin/donations/disbursement/?status__exact=proposed")
    row = desk.locator("#result_list tbody tr", has_text="Sữa cho trẻ suy dinh dưỡng Xã An")
    row.locator("input.action-select").check()
    desk.locator("select[name=action]").select_option("approve_selected")
    shot(desk, "approve-proposal")
    desk.locator("button[name=index]").click()
    expect(desk.locator("ul.messagelist li.success")).to_be_visible()
    proposed.refresh_from_db()
    assert proposed.status == DisbursementStatus.APPROVED
    assert proposed.created_by == commune_officer and proposed.decided_by == lan
    desk.goto("/admin/donations/disbursement/")
    approved = desk.locator("#result_list tbody tr", has_text="Sữa cho trẻ suy dinh dưỡng Xã An")
    expect(approved).to_contain_text(proposed.voucher_number)
    shot(desk, "proposal-approved")

    desk.goto("/admin/reports/report/")
    desk.locator("#result_list tbody tr", has_text="Xã An").locator("th a").click()
    desk.wait_for_url(f"**/admin/reports/report/{report.pk}/change/")
    shot(desk, "submitted-report")
    desk.locator(f"form[action='/admin/reports/report/{report.pk}/accept/'] button").click()
    desk.wait_for_url(f"**/admin/reports/report/{report.pk}/change/")
    expect(desk.locator("ul.messagelist li.success")).to_be_visible()
    expect(desk.locator(f"form[action='/admin/reports/report/{report.pk}/accept/']")).to_have_count(0)
    shot(desk, "report-accepted")
    report.refresh_from_db()
    assert (report.status, report.decided_by) == (ReportStatus.ACCEPTED, lan)

    with desk.expect_download() as download_info:
        desk.locator(f"a[href='/admin/reports/report/{report.pk}/pdf/']").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert f"ỦY BAN NHÂN DÂN {tree['a'].name.upper()}" in text  # the issuing authority: "... XÃ AN"
    # The subject under "BÁO CÁO", without saying "Báo cáo" again (reports.documents.pdf.report_subject).
    assert "Sơ kết 6 tháng công tác bảo vệ, chăm sóc trẻ em" in text
