"""Donors imported through django-import-export: all rows checked, all or nothing, again = update."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from donations.imports.donors import HEADERS, donors_import, donors_template
from donations.models import Donor, DonorKind

pytestmark = pytest.mark.django_db


def sheet(rows, headers=None) -> io.BytesIO:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(headers or list(HEADERS.values()))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


ROWS = [
    (
        "Công ty TNHH Ánh Dương",
        "Doanh nghiệp",
        "2801234567",
        "0237 3868 000",
        "a@anhduong.vn",
        "",
        "Họ và tên",
        "",
    ),
    ("Nguyễn Thị Hương", "", "", "0912 000 111", "", "Xã Dân Lý", "chi ten viet tat", ""),
    ("Trường THCS Dân Lý", "co quan, don vi", "", "", "", "", "", ""),
]


def test_donors_import_and_importing_again_updates_instead_of_duplicating(fund, district_staff):
    result = donors_import(uploaded=sheet(ROWS), by=district_staff, name="nha-tai-tro.xlsx")
    assert (result.rows, result.new, result.updated) == (3, 3, 0)
    hương = Donor.objects.get(name="Nguyễn Thị Hương")
    assert hương.display_preference == "initials" and hương.unit == district_staff.unit
    assert Donor.objects.get(name="Trường THCS Dân Lý").kind == DonorKind.AGENCY
    changed = [("Nguyen Thi Huong", "", "", "0912 999 999", "", "", "", ""), ROWS[0]]
    again = donors_import(uploaded=sheet(changed), by=district_staff, name="lan-2.xlsx")
    assert Donor.objects.count() == 3
    assert again.updated == 1
    assert Donor.objects.get(pk=hương.pk).phone == "0912 999 999"


def test_a_dry_run_writes_nothing(fund, district_staff):
    result = donors_import(uploaded=sheet(ROWS), by=district_staff, name="x.xlsx", dry_run=True)
    assert result.new == 3 and not Donor.objects.exists()


def test_every_bad_row_is_reported_with_its_row_number_and_nothing_is_written(fund, district_staff):
    bad = [
        ROWS[0],
        ("", "Cá nhân", "", "", "", "", "", ""),
        ("Ông Tư", "Người ngoài hành tinh", "", "", "", "", "", ""),
        ("Bà Năm", "", "", "", "khong-phai-email", "", "", ""),
        ("Công ty TNHH Ánh Dương 2", "Doanh nghiệp", "2801234567", "", "", "", "", ""),
    ]
    with pytest.raises(ValidationError) as error:
        donors_import(uploaded=sheet(bad), by=district_staff, name="sai.xlsx")
    text = "\n".join(error.value.messages)
    for row in (3, 4, 5, 6):
        assert f" {row}:" in text, (row, text)
    assert " 2:" not in text and "Người ngoài hành tinh" in text
    assert not Donor.objects.exists()


def test_the_template_has_the_vietnamese_headers():
    ws = openpyxl.load_workbook(io.BytesIO(donors_template())).active
    assert [c.value for c in ws[1]] == list(HEADERS.values())


def test_a_file_without_the_name_column_is_refused(fund, district_staff):
    with pytest.raises(ValidationError):
        donors_import(uploaded=sheet([("x",)], headers=["Cột lạ"]), by=district_staff, name="x.xlsx")


def test_the_command_imports_and_refuses_bad_files(fund, district_staff, tmp_path):
    from django.core.management import CommandError, call_command

    good = tmp_path / "good.xlsx"
    good.write_bytes(sheet(ROWS).getvalue())
    call_command("import_donors", str(good), "--user", district_staff.username, stdout=io.StringIO())
    assert Donor.objects.count() == 3
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"%PDF-1.4 not a sheet\x00")
    with pytest.raises(CommandError):
        call_command("import_donors", str(bad), "--user", district_staff.username, stderr=io.StringIO())
    assert Donor.objects.count() == 3


def test_staff_import_donors_in_the_admin(client, fund, district_staff):
    from django.urls import reverse

    client.force_login(district_staff)
    file = sheet(ROWS)
    file.name = "nha-tai-tro.xlsx"
    response = client.post(reverse("admin:donations_donor_import"), {"file": file})
    assert response.status_code == 302 and Donor.objects.count() == 3
