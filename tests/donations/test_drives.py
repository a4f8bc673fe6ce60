"""Pledges paid in instalments; the one-day-salary drive: expected, paid, rate, who has not paid, imports."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from donations.imports.drive_payments import drive_payments_import
from donations.models import Donation, DonorKind, SalaryDrive
from donations.selectors.drives import drive_collection
from donations.selectors.pledges import pledge_progress
from donations.services.donations import donation_create, donation_post
from donations.services.drives import drive_agency_add
from donations.services.pledges import pledge_create
from tests.factories import DonorFactory

pytestmark = pytest.mark.django_db


def test_a_pledge_is_paid_by_its_instalments(fund, district_staff, yesterday):
    donor = DonorFactory(unit=fund.unit, name="Công ty Lam Sơn")
    pledge = pledge_create(
        fund=fund,
        donor=donor,
        amount=30_000_000,
        pledged_on=yesterday - dt.timedelta(days=90),
        due_by=yesterday - dt.timedelta(days=1),
        by=district_staff,
    )
    for amount in (10_000_000, 5_000_000):
        donation_post(
            donation=donation_create(fund=fund, amount=amount, received_on=yesterday, pledge=pledge), by=None
        )
    donation_create(fund=fund, amount=15_000_000, received_on=yesterday, pledge=pledge)  # not posted yet
    assert pledge_progress(pledge=pledge) == {
        "paid": 15_000_000,
        "left": 15_000_000,
        "fulfilled": False,
        "overdue": True,
    }
    assert set(Donation.objects.values_list("donor", flat=True)) == {donor.pk}


def test_an_instalment_from_another_donor_or_fund_is_refused(fund, district_staff, yesterday, tree):
    from tests.factories import FundFactory

    pledge = pledge_create(
        fund=fund,
        donor=DonorFactory(unit=fund.unit),
        amount=1_000_000,
        pledged_on=yesterday,
        by=district_staff,
    )
    with pytest.raises(ValidationError):
        donation_create(
            fund=fund,
            amount=100_000,
            received_on=yesterday,
            pledge=pledge,
            donor=DonorFactory(unit=fund.unit),
        )
    with pytest.raises(ValidationError):
        donation_create(
            fund=FundFactory(unit=tree["d1"]), amount=100_000, received_on=yesterday, pledge=pledge
        )
    assert not Donation.objects.exists()


def test_a_pledge_due_before_it_was_made_is_refused(fund, district_staff, yesterday):
    with pytest.raises(ValidationError):
        pledge_create(
            fund=fund,
            donor=DonorFactory(unit=fund.unit),
            amount=1_000,
            pledged_on=yesterday,
            due_by=yesterday - dt.timedelta(days=3),
            by=district_staff,
        )


@pytest.fixture
def drive(fund):
    drive = SalaryDrive.objects.create(fund=fund, year=2026, name="Ủng hộ một ngày lương 2026")
    school = DonorFactory(
        unit=fund.unit, name="Trường THCS Dân Lý", kind=DonorKind.AGENCY, tax_code="2800111222"
    )
    office = DonorFactory(unit=fund.unit, name="Phòng Tài chính - Kế hoạch", kind=DonorKind.AGENCY)
    clinic = DonorFactory(unit=fund.unit, name="Trạm Y tế xã Thọ Bình", kind=DonorKind.AGENCY)
    drive_agency_add(drive=drive, agency=school, headcount=40, daily_salary=300_000)
    drive_agency_add(drive=drive, agency=office, headcount=10, expected_amount=4_000_000)
    drive_agency_add(drive=drive, agency=clinic, headcount=6, daily_salary=250_000)
    return drive


def payments_file(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Cơ quan", "Mã số thuế", "Số tiền", "Ngày nộp", "Mã chứng từ"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_the_drive_shows_expected_paid_rate_and_who_has_not_paid(drive, district_staff, yesterday):
    drive_payments_import(
        drive=drive,
        by=district_staff,
        name="nop.xlsx",
        uploaded=payments_file(
            [
                ("Truong THCS Dan Ly", "2800111222", "12.000.000", yesterday, "UNC-01"),
                ("phòng tài chính - kế hoạch", "", 2_000_000, yesterday.strftime("%d/%m/%Y"), "UNC-02"),
            ]
        ),
    )
    collection = drive_collection(drive=drive)
    assert (collection["expected"], collection["paid"], collection["headcount"]) == (
        17_500_000,
        14_000_000,
        56,
    )
    assert collection["rate"] == 80.0
    by_name = {a["agency"].name: a for a in collection["agencies"]}
    assert (
        by_name["Trường THCS Dân Lý"]["rate"] == 100.0
        and by_name["Phòng Tài chính - Kế hoạch"]["rate"] == 50.0
    )
    assert [a["agency"].name for a in collection["unpaid"]] == ["Trạm Y tế xã Thọ Bình"]
    assert all(d.receipt_number for d in Donation.objects.all())


def test_payments_import_refuses_bad_rows_and_repeats_and_writes_nothing(drive, district_staff, yesterday):
    good = ("Trường THCS Dân Lý", "", "1.000.000", yesterday, "UNC-01")
    drive_payments_import(drive=drive, by=district_staff, name="a.xlsx", uploaded=payments_file([good]))
    with pytest.raises(ValidationError) as error:
        drive_payments_import(
            drive=drive,
            by=district_staff,
            name="b.xlsx",
            uploaded=payments_file(
                [
                    ("Trạm Y tế xã Thọ Bình", "", "500.000", yesterday, "UNC-01"),
                    ("Cơ quan lạ", "", "500.000", yesterday, "UNC-05"),
                    ("Trạm Y tế xã Thọ Bình", "", "-5", yesterday, "UNC-06"),
                    ("Trạm Y tế xã Thọ Bình", "", "500.000", "01/01/2099", "UNC-07"),
                    ("Trạm Y tế xã Thọ Bình", "", "500.000", yesterday, "UNC-08"),
                    ("Trạm Y tế xã Thọ Bình", "", "500.000", yesterday, "UNC-08"),
                ]
            ),
        )
    text = "\n".join(error.value.messages)
    for row in (2, 3, 4, 5, 7):
        assert f" {row}:" in text, row
    assert " 6:" not in text
    assert Donation.objects.count() == 1


def test_a_dry_run_checks_and_writes_nothing(drive, district_staff, yesterday):
    result = drive_payments_import(
        drive=drive,
        by=district_staff,
        name="a.xlsx",
        dry_run=True,
        uploaded=payments_file([("Trường THCS Dân Lý", "", "1.000.000", yesterday, "UNC-01")]),
    )
    assert (result.rows, result.total) == (1, 1_000_000)
    assert not Donation.objects.exists()


def test_staff_see_the_collection_page_and_download_it(client, drive, district_staff):
    client.force_login(district_staff)
    url = reverse("admin:donations_salarydrive_collection", args=[drive.pk])
    page = client.get(url).content.decode()
    assert "Trạm Y tế xã Thọ Bình" in page and "17.500.000 ₫" in page
    xlsx = client.get(url, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [sheet.cell(row, 1).value for row in (1, 2, 3)] == [
        f"{drive.fund.name} · {drive.fund.unit.name}",
        drive.name,
        "Đơn vị tính: đồng",
    ]
    assert sheet.max_row == 4 + 4


def test_only_an_agency_can_be_asked_in_the_drive(drive, fund):
    with pytest.raises(ValidationError):
        drive_agency_add(
            drive=drive, agency=DonorFactory(unit=fund.unit, name="Ông Tư"), headcount=1, expected_amount=1
        )


def test_the_payments_template_lists_the_agencies_and_the_command_imports_it(
    drive, district_staff, tmp_path, yesterday
):
    from django.core.management import CommandError, call_command

    from donations.imports.drive_payments import drive_payments_template

    book = openpyxl.load_workbook(io.BytesIO(drive_payments_template(drive=drive)))
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["Cơ quan", "Mã số thuế", "Số tiền", "Ngày nộp", "Mã chứng từ"]
    assert sheet.max_row == 4
    sheet.cell(2, 3).value, sheet.cell(2, 4).value, sheet.cell(2, 5).value = "3.000.000", yesterday, "UNC-9"
    sheet.delete_rows(3, 2)
    path = tmp_path / "nop.xlsx"
    book.save(path)
    call_command(
        "import_drive_payments",
        str(path),
        "--drive",
        str(drive.pk),
        "--user",
        district_staff.username,
        stdout=io.StringIO(),
    )
    assert drive_collection(drive=drive)["paid"] == 3_000_000
    with pytest.raises(CommandError):
        call_command(
            "import_drive_payments",
            str(path),
            "--drive",
            str(drive.pk),
            "--user",
            district_staff.username,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Donation.objects.count() == 1
