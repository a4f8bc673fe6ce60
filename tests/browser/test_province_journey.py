"""Journey 6 (issue 17): in today's two-level tree a commune's report goes straight to its province. The
province's fund staff log in with TOTP, see who has reported, accept a commune's report, build the
province's report from it and download its PDF: the communes as its lines, today's bodies as
recipients, the commune nobody works in counted as not yet reported."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from children.models import Child
from children.services.registry import child_register
from fund_portal.models import UnitLevel
from reports.models import Report, ReportStatus
from reports.services.reports import report_build, report_kind_for, report_narrative_save, report_submit
from tests.factories import TEST_PASSWORD, UnitFactory, give_totp, officer, report_calendar_seed, staff

from .helpers import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_province_staff_accept_a_communes_report_and_build_the_province_report(new_context, shot, output_dir):
    report_calendar_seed()
    year = timezone.localdate().year
    province = UnitFactory(code="80", name="Tỉnh Hai Cấp", level=UnitLevel.PROVINCE, parent=None)
    xuan = UnitFactory(code="80001", name="Xã Xuân", level=UnitLevel.COMMUNE, parent=province)
    yen = UnitFactory(code="80002", name="Phường Yên", level=UnitLevel.COMMUNE, parent=province)
    canbo = officer(xuan, username="canbo.xuan")
    hoa = staff(province, username="hoa", with_totp=False)
    secret = give_totp(hoa)
    born = dt.date(year - 7, 1, 1)
    for by, commune, name in (
        (canbo, xuan, "Nguyễn Văn Xuân"),
        (hoa, xuan, "Lê Thị Xinh"),
        (hoa, yen, "Trần Văn Yên"),
    ):
        child = child_register(
            by=by, full_name=name, birth_date=born, sex="male", commune=commune, confirm_not_duplicate=True
        )
        Child.objects.filter(pk=child.pk).update(created_at=dt.datetime(year, 1, 5, 9, tzinfo=dt.UTC))
    kind = report_kind_for(cadence="semiannual", unit=xuan)
    assert kind.consolidator_level == UnitLevel.PROVINCE
    report = report_build(kind=kind, unit=xuan, year=year, by=canbo, render=False)
    report_narrative_save(
        report=report,
        by=canbo,
        results="Đã rà soát trẻ em.",
        difficulties="Ít kinh phí.",
        proposals="Hỗ trợ thêm.",
    )
    report = report_submit(report=report, by=canbo)

    desk = new_context(DESKTOP).new_page()
    log_in(desk, "hoa", TEST_PASSWORD, totp_secret=secret)
    expect(desk).to_have_url(re.compile(r"/admin/$"))
    desk.goto("/admin/reports/report/")
    desk.locator("#result_list tbody tr", has_text="Xã Xuân").locator("th a").click()
    desk.wait_for_url(f"**/admin/reports/report/{report.pk}/change/")
    desk.locator(f"form[action='/admin/reports/report/{report.pk}/accept/'] button").click()
    desk.wait_for_url(f"**/admin/reports/report/{report.pk}/change/")
    expect(desk.locator("ul.messagelist li.success")).to_be_visible()
    shot(desk, "commune-report-accepted")
    report.refresh_from_db()
    assert (report.status, report.decided_by) == (ReportStatus.ACCEPTED, hoa)

    province_kind = report_kind_for(cadence="semiannual", unit=province)
    desk.goto("/admin/reports/report/build/")
    desk.locator("select[name=kind]").select_option(str(province_kind.pk))
    desk.locator("select[name=unit]").select_option(str(province.pk))
    desk.locator("input[name=year]").fill(str(year))
    shot(desk, "build-province-report")
    desk.locator("form:has(select[name=kind]) [type=submit]").click()
    built = Report.objects.get(unit=province, kind=province_kind, year=year)
    desk.wait_for_url(f"**/admin/reports/report/{built.pk}/change/")
    expect(desk.locator("ul.messagelist li.success")).to_be_visible()
    shot(desk, "province-report-built")
    assert [(line["name"], line["source"]) for line in built.figures["communes"]] == [
        ("Xã Xuân", "accepted"),
        ("Phường Yên", "live"),
    ]
    assert built.figures["children"]["total"] == 3

    with desk.expect_download() as download_info:
        desk.locator(f"a[href='/admin/reports/report/{built.pk}/pdf/']").click()
    pdf = output_dir / download_info.value.suggested_filename  # kept, to be looked at
    download_info.value.save_as(pdf)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    for words in (
        "TỈNH HAI CẤP",
        "(tổng hợp toàn tỉnh)",
        "Tổng hợp theo xã, phường, đặc khu",
        "Xã Xuân",
        "Phường Yên (*)",
        "Tình hình báo cáo của các xã: 1/2 xã đã nộp",
        "Bộ Y tế (Cục Bà mẹ và Trẻ em)",
    ):
        assert words in text, words

    phone = desk  # the same session on a phone's screen (a TOTP code is accepted once)
    phone.set_viewport_size(PHONE)
    phone.goto(f"/admin/reports/report/dashboard/?kind={kind.pk}&year={year}")
    expect(phone.locator("body")).to_contain_text("Xã Xuân")
    expect(phone.locator("body")).to_contain_text("Phường Yên")  # owes the report, though nobody works there
    shot(phone, "province-dashboard-phone")
