"""The donor network: duplicates found and merged without losing a donation; the commendation list."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from donations.models import Donation, Donor
from donations.selectors.donors import donor_duplicates, donors_for_recognition
from donations.services.donations import donation_create, donation_post
from donations.services.donors import donor_merge
from tests.factories import DonorFactory

pytestmark = pytest.mark.django_db


def give(fund, donor, amount, day):
    return donation_post(
        donation=donation_create(fund=fund, amount=amount, received_on=day, donor=donor), by=None
    )


def test_same_name_with_other_diacritics_or_same_tax_code_are_likely_duplicates(fund, district_staff):
    a = DonorFactory(unit=fund.unit, name="Nguyễn Văn An")
    b = DonorFactory(unit=fund.unit, name="  nguyen van  AN ")
    c = DonorFactory(unit=fund.unit, name="Công ty Hoà Bình", tax_code="2801234567")
    d = DonorFactory(unit=fund.unit, name="Cty TNHH Hòa Bình", tax_code="2801234567")
    DonorFactory(unit=fund.unit, name="Trần Thị Bích")
    pairs = {(k.pk, x.pk, why) for k, x, why in donor_duplicates(user=district_staff)}
    assert pairs == {(a.pk, b.pk, "name"), (c.pk, d.pk, "tax_code")}


def test_merging_moves_every_donation_and_keeps_the_record(fund, district_staff, yesterday):
    keep = DonorFactory(unit=fund.unit, name="Lê Văn Thành", phone="")
    duplicate = DonorFactory(unit=fund.unit, name="Le Van Thanh", phone="0912000111", interests=["play"])
    for amount in (100_000, 200_000):
        give(fund, duplicate, amount, yesterday)
    give(fund, keep, 50_000, yesterday)
    donor_merge(keep=keep, duplicate=duplicate, by=district_staff)
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert Donation.objects.filter(donor=keep).count() == 3
    assert not Donation.objects.filter(donor=duplicate).exists()
    assert duplicate.merged_into == keep and keep.phone == "0912000111" and keep.interests == ["play"]
    assert donor_duplicates(user=district_staff) == []
    with pytest.raises(ValidationError):
        donor_merge(keep=keep, duplicate=duplicate, by=district_staff)


def test_merging_in_the_admin_duplicates_page(client, fund, district_staff, yesterday):
    keep = DonorFactory(unit=fund.unit, name="Phạm Thu Hà")
    duplicate = DonorFactory(unit=fund.unit, name="Pham Thu Ha")
    give(fund, duplicate, 300_000, yesterday)
    client.force_login(district_staff)
    page = client.get(reverse("admin:donations_donor_duplicates"))
    assert "Phạm Thu Hà" in page.content.decode() and "Pham Thu Ha" in page.content.decode()
    client.post(reverse("admin:donations_donor_duplicates"), {"keep": keep.pk, "duplicate": duplicate.pk})
    assert Donation.objects.get().donor == keep


def test_commendation_list_by_amount_in_the_year_or_consecutive_years(fund, district_staff):
    big = DonorFactory(unit=fund.unit, name="Công ty Mía đường")
    steady = DonorFactory(unit=fund.unit, name="Bà Ngô Thị Lành")
    small = DonorFactory(unit=fund.unit, name="Ông Hồ Văn Tư")
    give(fund, big, 60_000_000, dt.date(2025, 6, 1))
    for year in (2023, 2024, 2025):
        give(fund, steady, 200_000, dt.date(year, 1, 15))
    give(fund, small, 100_000, dt.date(2025, 3, 1))
    give(fund, small, 100_000, dt.date(2023, 3, 1))  # a gap in 2024: no streak
    rows = donors_for_recognition(user=district_staff, year=2025, min_amount=50_000_000, consecutive_years=3)
    assert [(r["donor"].name, r["reasons"]) for r in rows] == [
        ("Công ty Mía đường", ["amount"]),
        ("Bà Ngô Thị Lành", ["years"]),
    ]


def test_commendation_list_downloads_as_xlsx_with_safe_cells(client, fund, district_staff):
    donor = DonorFactory(unit=fund.unit, name='=HYPERLINK("http://x")')
    give(fund, donor, 70_000_000, dt.date(2025, 6, 1))
    client.force_login(district_staff)
    response = client.get(
        reverse("admin:donations_donor_recognition"),
        {"year": 2025, "min_amount": "50.000.000", "consecutive_years": 3, "format": "xlsx"},
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 1).value == fund.unit.name
    assert sheet.cell(2, 1).value == "Nhà tài trợ đề xuất khen thưởng năm 2025"
    assert sheet.cell(5, 1).value == "Nhà tài trợ"
    assert sheet.cell(6, 1).value == '\'=HYPERLINK("http://x")'
    assert sheet.cell(6, 4).value == 70_000_000


def test_donor_names_are_stored_composed(fund):
    decomposed = "Nguye\u0302\u0303n"  # Nguyễn typed with combining marks
    donor = DonorFactory(unit=fund.unit, name=decomposed)
    assert donor.name == "Nguyễn" and Donor.objects.get().name_folded == "nguyen"


def test_the_donor_page_shows_history_and_totals(client, fund, district_staff, yesterday):
    donor = DonorFactory(unit=fund.unit, name="Hội Phụ nữ xã")
    give(fund, donor, 300_000, dt.date(2025, 2, 1))
    give(fund, donor, 200_000, yesterday)
    client.force_login(district_staff)
    body = client.get(reverse("admin:donations_donor_change", args=[donor.pk])).content.decode()
    assert "500.000 ₫" in body and "01/02/2025" in body and f"donor__id__exact={donor.pk}" in body


def test_the_commendation_form_starts_from_the_staff_members_funds_thresholds(client, fund, district_staff):
    fund.recognition_min_amount, fund.recognition_years = 20_000_000, 2
    fund.save(update_fields=["recognition_min_amount", "recognition_years"])
    client.force_login(district_staff)
    html = client.get(reverse("admin:donations_donor_recognition")).content.decode()
    assert 'value="20.000.000"' in html and 'name="consecutive_years" value="2"' in html
