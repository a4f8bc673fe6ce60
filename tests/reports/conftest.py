"""A small district with data in every part of a report: children, circumstances, needs, support,
incidents, money (district and commune funds, goods, a campaign, the one-day-salary drive).

Tree (tests/conftest.py): D1 holds communes A and B, D2 holds commune C. B is especially difficult.
Dates are in 2026 (the period 01/01–10/11/2026 of the annual report; every date is in the past).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission

from campaigns.models import Campaign, CampaignKind
from children.models import Child, Circumstance, IncidentKind, SupportKind, SupportSource
from children.services.care import needs_assess
from children.services.incidents import incident_record
from children.services.registry import child_register
from children.services.support import support_record
from donations.models import DonationKind, DonorKind, SalaryDrive, SourceCategory
from donations.services.donations import donation_create, donation_post
from donations.services.drives import drive_agency_add
from fund_portal.models import AdministrativeUnit
from reports.models import Cadence, ReportKind
from tests.factories import DonorFactory, FundFactory, officer, staff

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = 2026
END = dt.date(2026, 11, 10)


def d(month, day):
    return dt.date(YEAR, month, day)


def aged(years: int, months: int = 0) -> dt.date:
    """Born so as to be `years` old (and a few months) on the last day of the period."""
    return dt.date(END.year - years, END.month, 1) - dt.timedelta(days=30 * months)


def register(by, commune, name, born, sex="male", registered_on=None, **fields):
    """A child registered in the period (on 05/01, or at birth if born later), unless `registered_on` says."""
    child = child_register(
        by=by, full_name=name, birth_date=born, sex=sex, commune=commune, confirm_not_duplicate=True, **fields
    )
    day = registered_on or max(born, d(1, 5))
    child.created_at = dt.datetime.combine(day, dt.time(9), tzinfo=TZ)
    Child.objects.filter(pk=child.pk).update(created_at=child.created_at)
    return child


def post(fund, amount, day, **fields):
    donation = donation_create(fund=fund, amount=amount, received_on=day, **fields)
    return donation_post(donation=donation, by=None)


@pytest.fixture
def kinds(db):
    """The kinds of the three-level tree (commune -> district -> province), by cadence and level."""
    return {
        (k.cadence, k.submitter_level): k
        for k in ReportKind.objects.filter(cadence__in=[Cadence.SEMIANNUAL, Cadence.ANNUAL]).exclude(
            submitter_level="commune", consolidator_level="province"
        )
    }


@pytest.fixture
def district(tree, kinds):
    """Officers, children, support, incidents and money in D1 (and a little in D2, which must not count)."""
    AdministrativeUnit.objects.filter(pk=tree["b"].pk).update(is_especially_difficult=True)
    tree["b"].refresh_from_db()
    people = {
        "officer_a": officer(tree["a"], username="canbo_a", email="canbo.a@xa-an.gov.vn"),
        "officer_b": officer(tree["b"], username="canbo_b", email="canbo.b@xa-binh.gov.vn"),
        "officer_c": officer(tree["c"], username="canbo_c", email=""),
        "staff_d1": staff(tree["d1"], username="lan", email="lan@huyenmot.gov.vn"),
        "staff_d2": staff(tree["d2"], username="hai", email="hai@huyenhai.gov.vn"),
    }
    people["staff_d1"].user_permissions.add(Permission.objects.get(codename="view_sensitive"))
    a, b, c = tree["a"], tree["b"], tree["c"]
    oa, ob, oc = people["officer_a"], people["officer_b"], people["officer_c"]
    kids = {
        "an": register(oa, a, "Nguyễn Văn An", aged(1), poverty="poor"),
        "binh": register(oa, a, "Lê Thị Bình", aged(7), sex="female", poverty="near_poor", ethnicity="02"),
        "cuong": register(oa, a, "Trần Văn Cường", aged(12)),
        "dung": register(ob, b, "Phạm Thị Dung", aged(4), sex="female", poverty="poor", ethnicity="06"),
        "em": register(ob, b, "Hoàng Văn Em", aged(8), ethnicity="06"),
        "giang": register(oc, c, "Vũ Thị Giang", aged(9), sex="female"),
    }
    Circumstance.objects.create(child=kids["an"], group="G01", identified_on=d(3, 2))
    Circumstance.objects.create(child=kids["binh"], group="G05", identified_on=dt.date(2025, 6, 1))
    Circumstance.objects.create(child=kids["dung"], group="G04", identified_on=d(4, 15))
    Circumstance.objects.create(child=kids["giang"], group="G04", identified_on=d(4, 15))
    needs_assess(
        child=kids["an"],
        by=oa,
        year=YEAR,
        on=d(2, 10),
        needs={"nutrition_health": (3, ""), "education": (1, "")},
    )
    needs_assess(child=kids["dung"], by=ob, year=YEAR, on=d(2, 11), needs={"nutrition_health": (2, "")})
    support_record(
        by=oa,
        child=kids["an"],
        commune=a,
        kind=SupportKind.CASH,
        value=500_000,
        delivered_on=d(6, 1),
        source=SupportSource.FUND,
    )
    support_record(
        by=oa,
        child=kids["binh"],
        commune=a,
        kind=SupportKind.SCHOLARSHIP,
        value=1_000_000,
        delivered_on=d(9, 5),
        source=SupportSource.STATE_BUDGET,
    )
    support_record(
        by=ob,
        child=kids["dung"],
        commune=b,
        kind=SupportKind.HEALTH_CHECK,
        value=0,
        delivered_on=d(5, 20),
        source=SupportSource.STATE_BUDGET,
    )
    support_record(
        by=ob,
        child=kids["em"],
        commune=b,
        kind=SupportKind.NUTRITION,
        value=300_000,
        delivered_on=d(5, 20),
        source=SupportSource.FUND,
    )
    support_record(
        by=ob,
        commune=b,
        kind=SupportKind.PLAY_EQUIPMENT,
        value=15_000_000,
        delivered_on=d(7, 1),
        source=SupportSource.FUND,
    )
    support_record(
        by=oc,
        child=kids["giang"],
        commune=c,
        kind=SupportKind.CASH,
        value=700_000,
        delivered_on=d(6, 1),
        source=SupportSource.FUND,
    )
    support_record(  # outside the period: not counted
        by=oa,
        child=kids["cuong"],
        commune=a,
        kind=SupportKind.GIFT,
        value=200_000,
        delivered_on=d(11, 20),
        source=SupportSource.FUND,
    )

    occurred = dt.datetime(YEAR, 7, 3, 16, 0, tzinfo=TZ)
    incident_record(
        by=oa,
        commune=a,
        kind=IncidentKind.DROWNING,
        occurred_at=occurred,
        reported_at=occurred + dt.timedelta(hours=1),
        description="Trẻ rơi xuống ao.",
        child_description="Bé trai 6 tuổi",
    )
    incident_record(
        by=oc,
        commune=c,
        kind=IncidentKind.INJURY,
        occurred_at=occurred,
        reported_at=occurred + dt.timedelta(hours=1),
        description="Ngã xe.",
        child_description="Bé gái 9 tuổi",
    )
    district_fund = FundFactory(unit=tree["d1"], name="Quỹ Bảo trợ trẻ em Huyện Một", code="huyen-mot")
    fund_a = FundFactory(unit=a, name="Quỹ Bảo trợ trẻ em Xã An", code="xa-an", parent=district_fund)
    fund_d2 = FundFactory(unit=tree["d2"], name="Quỹ Bảo trợ trẻ em Huyện Hai", code="huyen-hai")
    campaign = Campaign.objects.create(
        name="Tết Trung thu 2026",
        slug="trung-thu-2026",
        kind=CampaignKind.MID_AUTUMN,
        unit=tree["d1"],
        starts_on=d(8, 15),
        ends_on=d(10, 15),
    )
    big = DonorFactory(unit=tree["d1"], name="Công ty TNHH Hảo Tâm")
    hidden = DonorFactory(unit=tree["d1"], name="Trần Thị Kín", display_preference="anonymous")
    agency = DonorFactory(unit=tree["d1"], name="Phòng Giáo dục huyện", kind=DonorKind.AGENCY)
    post(district_fund, 20_000_000, d(9, 1), donor=big, campaign=campaign)
    post(district_fund, 3_000_000, d(3, 1), donor=hidden)
    post(district_fund, 4_000_000, d(4, 1), source=SourceCategory.POOR_FUND)
    post(district_fund, 9_000_000, dt.date(2025, 12, 31), donor=big)  # before the period
    post(fund_a, 1_500_000, d(5, 5))
    post(
        fund_a,
        2_500_000,
        d(6, 5),
        kind=DonationKind.GOODS,
        goods_description="Sách vở",
        goods_quantity=50,
        goods_unit="bộ",
    )
    post(fund_d2, 8_000_000, d(5, 5))
    drive = SalaryDrive.objects.create(fund=district_fund, year=YEAR, name="Một ngày lương 2026")
    row = drive_agency_add(drive=drive, agency=agency, headcount=20, expected_amount=10_000_000)
    post(district_fund, 6_000_000, d(6, 30), donor=agency, drive_agency=row)
    return {**tree, **people, **kids, "district_fund": district_fund, "fund_a": fund_a, "kinds": kinds}
