"""Reporting up any tree (issue 17): a commune's report goes to its district (the source documents'
three levels) or straight to its province (today's two levels); every level accepts or returns,
consolidates what it accepted, and counts every unit that owes it a report, with an account or not.

Trees: `district` (tests/reports/conftest.py) is province 90 -> districts D1 (communes A, B) and D2
(commune C). `two_level` adds province 80 with communes X and Y right under it; nobody works in Y.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fund_portal.models import UnitLevel
from reports.figures.compute import additive_sections, sum_sections
from reports.models import Report, ReportAddressing, ReportKind, ReportStatus, Timeliness
from reports.selectors import (
    completeness_summary,
    consolidation_completeness,
    report_addressing,
    report_completeness,
    units_required,
)
from reports.services.reports import (
    report_accept,
    report_build,
    report_kind_for,
    report_return,
    report_submit,
)
from tests.factories import UnitFactory, officer, staff

from .conftest import YEAR, aged, register
from .test_figures_and_documents import pdf_text

AFTER_DUE = dt.date(YEAR, 12, 1)  # every report of the year is due by then


def build(unit, by=None, cadence="annual"):
    return report_build(
        kind=report_kind_for(cadence=cadence, unit=unit), unit=unit, year=YEAR, by=by, render=False
    )


def submit_and_accept(unit, preparer, decider):
    report = report_submit(report=build(unit, preparer), by=preparer)
    return report_accept(report=report, by=decider)


@pytest.fixture
def two_level(district):
    """Province 80 with communes X and Y directly under it (no district), staff at the province, an
    officer in X only, and children in both."""
    province = UnitFactory(code="80", name="Tỉnh Hai Cấp", level=UnitLevel.PROVINCE, parent=None)
    x = UnitFactory(code="80001", name="Xã Xuân", level=UnitLevel.COMMUNE, parent=province)
    y = UnitFactory(code="80002", name="Phường Yên", level=UnitLevel.COMMUNE, parent=province)
    people = {"staff_p80": staff(province, username="tinh80"), "officer_x": officer(x, username="canbo_x")}
    register(people["officer_x"], x, "Nguyễn Văn Xuân", aged(3), poverty="poor")
    register(people["officer_x"], x, "Lê Thị Xinh", aged(8), sex="female")
    register(people["staff_p80"], y, "Trần Văn Yên", aged(10))
    return {**district, **people, "p80": province, "x": x, "y": y}


def test_three_levels_commune_to_district_to_province_and_the_sums_hold_at_every_level(district):
    staff_p = staff(district["province"], username="tinh90")
    for commune, preparer, decider in (
        ("a", "officer_a", "staff_d1"),
        ("b", "officer_b", "staff_d1"),
        ("c", "officer_c", "staff_d2"),
    ):
        submit_and_accept(district[commune], district[preparer], district[decider])
    with pytest.raises(PermissionDenied):  # a district does not accept its own report
        report_accept(
            report=report_submit(report=build(district["d1"], district["staff_d1"]), by=district["staff_d1"]),
            by=district["staff_d1"],
        )
    d1 = report_accept(report=Report.objects.get(unit=district["d1"]), by=staff_p)
    province = build(district["province"], staff_p)
    assert province.kind.code == "tinh-bao-cao-nam" and province.kind.consolidator_level == ""
    lines = province.figures["communes"]
    assert [(line["name"], line["level"], line["source"]) for line in lines] == [
        ("Huyện Một", "district", "accepted"),
        ("Huyện Hai", "district", "live"),  # D2 has not reported: the sum of its accepted commune
    ]
    communes = {r.unit_id: r.figures for r in Report.objects.filter(unit__level="commune")}
    d2_live = sum_sections([communes[district["c"].pk]])
    assert additive_sections(d1.figures) == sum_sections(
        [communes[district["a"].pk], communes[district["b"].pk]]
    )
    assert additive_sections(province.figures) == sum_sections([d1.figures, d2_live])
    assert province.figures["children"]["total"] == 6 == sum(line["children"] for line in lines)
    assert sum(line["support_value"] for line in lines) == province.figures["support"]["value"]
    # The province's table of who reported to it: its two districts, D2 missing after the due date.
    rows = consolidation_completeness(province)
    assert [(row["unit"].name, row["status"]) for row in rows] == [
        ("Huyện Một", ReportStatus.ACCEPTED),
        ("Huyện Hai", None),
    ]


def test_two_levels_commune_to_province_and_a_commune_without_an_account_counts_as_missing(two_level):
    t = two_level
    x_report = submit_and_accept(t["x"], t["officer_x"], t["staff_p80"])
    assert x_report.kind.code == "xa-tinh-bao-cao-nam" and x_report.status == ReportStatus.ACCEPTED
    province = build(t["p80"], t["staff_p80"])
    lines = province.figures["communes"]
    assert [(line["name"], line["source"]) for line in lines] == [
        ("Xã Xuân", "accepted"),
        ("Phường Yên", "live"),
    ]
    y_live = build(t["y"], None).figures  # the system builds the draft of a commune nobody works in
    assert additive_sections(province.figures) == sum_sections([x_report.figures, y_live])
    assert province.figures["children"]["total"] == 3
    # Completeness: both communes owe the two-level report; Y, with no account, is missing.
    kind = report_kind_for(cadence="annual", unit=t["x"])
    assert [row["unit"].code for row in consolidation_completeness(province)] == ["80001", "80002"]
    rows = report_completeness(kind=kind, year=YEAR, under=t["p80"], today=AFTER_DUE)
    assert {row["unit"].code: row["timeliness"] for row in rows} == {
        "80001": Timeliness.LATE,  # submitted today, after its due date 15/11
        "80002": Timeliness.MISSING,
    }
    summary = completeness_summary(rows)
    assert summary["expected"] == 2 and summary["missing"] == 1 and summary["completeness"] == 50.0
    assert summary["timeliness"] == 0.0
    # The three-level kinds do not summon the two-level communes, nor the other way round.
    three_level = ReportKind.objects.get(code="xa-bao-cao-nam")
    assert not units_required(kind=three_level).filter(path__startswith=t["p80"].path).exists()
    assert set(units_required(kind=kind).values_list("code", flat=True)) == {"80001", "80002"}


def test_the_province_returns_a_report_with_a_comment_and_other_provinces_staff_cannot_decide(two_level):
    t = two_level
    report = report_submit(report=build(t["x"], t["officer_x"]), by=t["officer_x"])
    with pytest.raises(PermissionDenied):
        report_accept(report=report, by=t["staff_d1"])  # a district of another province
    with pytest.raises(PermissionDenied):
        report_accept(report=report, by=t["officer_x"])  # the commune itself
    returned = report_return(report=report, by=t["staff_p80"], comment="Bổ sung trẻ em khuyết tật.")
    assert returned.status == ReportStatus.RETURNED and not returned.is_frozen


def test_a_kind_owned_by_a_province_summons_only_its_communes_and_stands_in_for_the_default(two_level):
    t = two_level
    own = ReportKind.objects.create(
        code="tinh-80-xa-bao-cao-nam",
        name="Báo cáo năm công tác trẻ em (mẫu của tỉnh)",
        cadence="annual",
        submitter_level="commune",
        consolidator_level="province",
        owner=t["p80"],
        recipient="Sở Y tế {province}",
        start_month=1,
        start_day=1,
        end_month=11,
        end_day=30,
        due_month=12,
        due_day=5,
    )
    assert report_kind_for(cadence="annual", unit=t["x"]) == own
    default = ReportKind.objects.get(code="xa-tinh-bao-cao-nam")
    assert not units_required(kind=default).filter(pk=t["x"].pk).exists()
    assert set(units_required(kind=own).values_list("code", flat=True)) == {"80001", "80002"}
    with pytest.raises(ValidationError):  # the default kind is not the one X owes any more
        report_build(kind=default, unit=t["x"], year=YEAR, by=t["officer_x"], render=False)
    with pytest.raises(ValidationError):  # a commune of another province does not owe the province's kind
        report_build(kind=own, unit=t["a"], year=YEAR, by=None, render=False)


def test_recipients_issuer_and_signer_come_from_the_nearest_unit_and_name_todays_bodies(two_level):
    t = two_level
    report = build(t["x"], t["officer_x"])
    addressing = report_addressing(report)
    assert addressing["recipients"] == ["Sở Y tế tỉnh Hai Cấp", "Ủy ban nhân dân tỉnh Hai Cấp", "Lưu: VT"]
    assert addressing["issuer_name"] == "Ủy ban nhân dân xã Xuân"
    ReportAddressing.objects.create(
        unit=t["p80"], kind=None, recipients="Sở Y tế {province}\nPhòng Văn hóa - Xã hội {unit}"
    )
    ReportAddressing.objects.create(
        unit=t["x"], kind=report.kind, signer_title="Phó Chủ tịch", signer_name="Hà Văn Ký"
    )
    addressing = report_addressing(report)
    assert addressing["recipients"] == ["Sở Y tế tỉnh Hai Cấp", "Phòng Văn hóa - Xã hội xã Xuân", "Lưu: VT"]
    assert (addressing["signer_authority"], addressing["signer_title"], addressing["signer_name"]) == (
        "TM. Ủy ban nhân dân",
        "KT. Chủ tịch\nPhó Chủ tịch",  # a deputy signs for the chairman (Decree 30)
        "Hà Văn Ký",
    )
    province = build(t["p80"], t["staff_p80"])
    assert report_addressing(province)["recipients"][0] == "Sở Y tế tỉnh Hai Cấp"  # the province's own row
    ReportAddressing.objects.create(
        unit=t["p80"], kind=province.kind, recipients="Bộ Y tế (Cục Bà mẹ và Trẻ em)"
    )
    assert report_addressing(province)["recipients"] == ["Bộ Y tế (Cục Bà mẹ và Trẻ em)", "Lưu: VT"]


def test_no_seeded_kind_names_an_office_abolished_in_2025(db):
    for kind in ReportKind.objects.all():
        assert "Lao động - Thương binh" not in kind.recipient, kind.code


def test_the_province_pdf_names_its_districts_who_reported_and_the_ministry(district):
    staff_p = staff(district["province"], username="tinh90")
    submit_and_accept(district["a"], district["officer_a"], district["staff_d1"])
    report_submit(report=build(district["d1"], district["staff_d1"]), by=district["staff_d1"])
    report_accept(report=Report.objects.get(unit=district["d1"]), by=staff_p)
    province = report_build(
        kind=report_kind_for(cadence="annual", unit=district["province"]),
        unit=district["province"],
        year=YEAR,
        by=staff_p,
    )
    text, _pages = pdf_text(province.pdf.read())
    for words in (
        "ỦY BAN NHÂN DÂN\nTỈNH THỬ NGHIỆM",
        "(tổng hợp toàn tỉnh)",
        "V. Tổng hợp theo huyện, thị xã, thành phố",
        "Huyện Một",
        "Huyện Hai (*)",
        "Tình hình báo cáo của các huyện: 1/2 huyện đã nộp",
        "- Bộ Y tế (Cục Bà mẹ và Trẻ em);",
    ):
        assert words in text, words


def test_a_provinces_staff_keep_their_own_calendar_and_addressing_and_nothing_beyond(two_level):
    from fund_portal.authority import NotAllowed
    from reports.services.calendar import report_addressing_save, report_kind_save
    from tests.factories import UserFactory

    t = two_level
    auditor = UserFactory(role="auditor", unit=t["p80"], username="kiemtra80")
    fields = {
        "name": "Báo cáo quý về trẻ em",
        "cadence": "other",
        "submitter_level": "commune",
        "consolidator_level": "province",
        "recipient": "Sở Y tế {province}",
        "start_month": 1,
        "start_day": 1,
        "end_month": 3,
        "end_day": 31,
        "due_month": 4,
        "due_day": 10,
    }
    own = report_kind_save(kind=ReportKind(code="tinh-80-quy", owner=t["p80"], **fields), by=t["staff_p80"])
    assert set(units_required(kind=own).values_list("code", flat=True)) == {"80001", "80002"}
    for owner, by in ((None, t["staff_p80"]), (t["province"], t["staff_p80"])):
        with pytest.raises(ValidationError):  # the portal's kinds are an administrator's; no other province's
            report_kind_save(kind=ReportKind(code="x-quy", owner=owner, **fields), by=by)
    portal_kind = ReportKind.objects.get(code="xa-tinh-bao-cao-nam")
    portal_kind.due_day = 20
    with pytest.raises(ValidationError):
        report_kind_save(kind=portal_kind, by=t["staff_p80"])
    with pytest.raises(NotAllowed):
        report_kind_save(kind=ReportKind(code="kt-quy", owner=t["p80"], **fields), by=auditor)
    with pytest.raises(ValidationError):
        report_addressing_save(
            addressing=ReportAddressing(unit=t["a"], signer_name="Ai Đó"), by=t["staff_p80"]
        )
    saved = report_addressing_save(
        addressing=ReportAddressing(unit=t["x"], recipients="  Sở Y tế {province}  \n\n"), by=t["staff_p80"]
    )
    assert saved.recipients == "Sở Y tế {province}"
    assert ReportKind.objects.filter(code__in=["x-quy", "kt-quy"]).count() == 0
    assert ReportKind.objects.get(code="xa-tinh-bao-cao-nam").due_day == 15


def test_the_admin_lists_only_the_kinds_and_addressing_in_scope(client, two_level):
    t = two_level
    ReportAddressing.objects.create(unit=t["x"], signer_name="Hà Văn Ký")
    ReportAddressing.objects.create(unit=t["a"], signer_name="Người Huyện Một")
    client.force_login(t["staff_p80"])
    page = client.get("/admin/reports/reportaddressing/").content.decode()
    assert "Xã Xuân" in page and "Xã An" not in page
    response = client.post(
        "/admin/reports/reportkind/add/",
        {
            "code": "tinh-80-quy",
            "name": "Báo cáo quý",
            "cadence": "other",
            "submitter_level": "commune",
            "consolidator_level": "province",
            "owner": "",
            "recipient": "Sở Y tế {province}",
            "start_month": 1,
            "start_day": 1,
            "end_month": 3,
            "end_day": 31,
            "due_month": 4,
            "due_day": 10,
            "draft_lead_days": 7,
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with the refusal on the owner field
    assert "Chọn đơn vị mà các đơn vị trực thuộc phải nộp báo cáo này" in response.content.decode()
    assert not ReportKind.objects.filter(code="tinh-80-quy").exists()


def test_a_national_auditor_reads_every_provinces_completeness_and_changes_no_calendar(client, two_level):
    from tests.factories import UserFactory, give_totp

    t = two_level
    national = UserFactory(role="national_auditor", unit=None, username="quocgia", is_staff=True)
    give_totp(national)
    client.force_login(national)
    kind = report_kind_for(cadence="annual", unit=t["x"])
    page = client.get(f"/admin/reports/report/dashboard/?kind={kind.pk}&year={YEAR}")
    assert page.status_code == 200
    assert "Xã Xuân" in page.content.decode() and "Phường Yên" in page.content.decode()
    response = client.post("/admin/reports/reportaddressing/add/", {"unit": t["x"].pk, "signer_name": "Ai"})
    assert response.status_code == 403 and not ReportAddressing.objects.exists()
