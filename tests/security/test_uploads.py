"""Hostile spreadsheets are refused at every upload, in Vietnamese, and nothing is written.

The uploads: donations, donors, bank statements, the salary drive's payments and the children's
list in the admin, and the children's list in the portal. All read files with
`fund_portal.spreadsheets.open_sheet`; each attack is tried on each of them through its page.
"""

import datetime as dt

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from donations.models import BankAccount, Fund, SalaryDrive
from fund_portal.demo import seed_demo
from fund_portal.models import User

from . import spreadsheets as hostile

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("donations", "children", "fund_portal")
        for model in apps.get_app_config(app).get_models()
        if model._meta.managed
    }


@pytest.fixture
def uploads(db):
    """Each upload page: (url, extra form fields, the user who may use it)."""
    seed_demo()
    staff = User.objects.get(username="canbo.huyen")
    officer = User.objects.get(username="canbo.danly")
    fund = Fund.objects.get(code="qbtte-trieu-son")
    drive = SalaryDrive.objects.create(fund=fund, year=timezone.localdate().year, name="Một ngày lương")
    account = BankAccount.objects.get(fund=fund)
    return {
        "donations": ("/admin/donations/donation/import/", {"dry_run": ""}, staff),
        "donors": ("/admin/donations/donor/import/", {"dry_run": ""}, staff),
        "statement": ("/admin/donations/bankstatement/add/", {"bank_account": account.pk}, staff),
        "drive": (f"/admin/donations/salarydrive/{drive.pk}/collection/", {"dry_run": ""}, staff),
        "children (admin)": ("/admin/children/child/import/", {"dry_run": ""}, staff),
        "children (portal)": ("/portal/children/import/", {"dry_run": ""}, officer),
    }


def _attack(client, uploads, name: str, data: bytes, file_name: str) -> list[str]:
    """Upload the file to every page; the pages' text, after checking that nothing was written."""
    pages = []
    for label, (url, fields, user) in uploads.items():
        client.force_login(user)
        before = _counts()
        response = client.post(url, {**fields, "file": SimpleUploadedFile(file_name, data)})
        assert response.status_code == 200, (label, name, response.status_code)
        assert _counts() == before, (label, name)
        pages.append((label, response.content.decode()))
    return pages


def _all_say(pages, fragment: str) -> None:
    silent = [label for label, html in pages if fragment not in html]
    assert silent == [], f"no “{fragment}” on {silent}"


def test_a_file_over_the_size_limit_is_refused(client, uploads, settings):
    assert settings.IMPORT_MAX_UPLOAD_BYTES == 20 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    data = ("Số tiền,Ghi chú\n" + "100000,x\n" * 150_000).encode()
    _all_say(_attack(client, uploads, "big", data, "lon.csv"), "lớn hơn 1 MB")


def test_a_pdf_renamed_xlsx_is_refused(client, uploads):
    _all_say(_attack(client, uploads, "pdf", hostile.PDF, "bao-cao.xlsx"), "bao-cao.xlsx không phải là tệp")


def test_a_zip_that_is_no_workbook_is_refused(client, uploads):
    pages = _attack(client, uploads, "zip", hostile.not_a_workbook_zip(), "danh-sach.xlsx")
    _all_say(pages, "không phải là bảng tính Excel")


def test_a_text_file_renamed_xlsx_writes_nothing(client, uploads):
    _attack(client, uploads, "text", "Xin chào, đây không phải bảng tính.\n".encode(), "danh-sach.xlsx")


def test_a_tiny_sheet_with_cells_at_opposite_corners_is_refused_before_it_is_read(client, uploads):
    """1.5 kB that made the XLSX reader ask for 550 GB and abort the whole process (not an exception)."""
    data = hostile.corner_bomb()
    assert len(data) < 2000
    _all_say(_attack(client, uploads, "corner", data, "bom.xlsx"), "có hơn 250.000 dòng")


def test_a_sheet_within_each_limit_but_too_large_an_area_is_refused(client, uploads):
    _all_say(_attack(client, uploads, "area", hostile.wide_and_tall_bomb(), "bom.xlsx"), "bất thường")


def test_a_million_rows_are_refused(client, uploads):
    _all_say(
        _attack(client, uploads, "million", hostile.million_rows(), "trieu-dong.xlsx"), "có hơn 250.000 dòng"
    )


def test_rows_without_references_count_too(settings):
    from django.core.exceptions import ValidationError

    from fund_portal.spreadsheets import open_sheet

    settings.IMPORT_MAX_SHEET_ROWS = 1000
    assert len(list(open_sheet(hostile.rows_without_references(998), name="ok.xlsx").rows)) == 998
    with pytest.raises(ValidationError) as refused:
        open_sheet(hostile.rows_without_references(1000), name="bom.xlsx")
    assert refused.value.code == "too_many_rows"
    one_wide_row = hostile.xlsx_with_sheet(b"<row>" + b"<c><v>1</v></c>" * 300 + b"</row>")
    with pytest.raises(ValidationError) as refused:
        open_sheet(one_wide_row, name="rong.xlsx")
    assert refused.value.code == "too_many_rows"


def test_an_archive_that_unpacks_too_large_is_refused(client, uploads, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    data = hostile.xlsx_with_sheet(b"", padding=4 * 1024 * 1024)
    assert len(data) < 50_000
    _all_say(_attack(client, uploads, "unpacked", data, "bom.xlsx"), "bất thường")


def test_a_csv_with_one_huge_field_is_refused_not_a_crash(client, uploads):
    """csv.Error (field larger than 128 kB) used to escape open_sheet: a server error on every upload."""
    data = ("Họ và tên,Ngày sinh,Giới tính\n" + "A" * 200_000 + ",01/01/2015,Nam\n").encode()
    _all_say(_attack(client, uploads, "field", data, "dai.csv"), "có một ô dài hơn 131.072 ký tự")


def test_a_csv_with_too_many_columns_is_refused(client, uploads):
    _all_say(
        _attack(client, uploads, "columns", ("," * 5000 + "\n").encode(), "rong.csv"), "có hơn 250.000 dòng"
    )


def test_a_legitimate_file_still_goes_through_every_check(client, uploads):
    """The limits leave real files alone: the children's template with two rows imports."""
    officer = uploads["children (portal)"][2]
    client.force_login(officer)
    data = "Họ và tên,Ngày sinh,Giới tính\nLê Thị Thử,01/02/2015,Nữ\nLò Văn Thử,03/04/2016,Nam\n".encode()
    from children.models import Child

    before = Child.objects.count()
    response = client.post(
        "/portal/children/import/", {"file": SimpleUploadedFile("dung.csv", data)}, follow=True
    )
    assert response.status_code == 200
    assert Child.objects.count() == before + 2
    assert dt.date(2015, 2, 1) in set(Child.objects.values_list("birth_date", flat=True))


def test_a_corner_bomb_written_with_namespace_prefixes_is_refused_too():
    """The size check reads plain XML fast and falls back to prefix-aware patterns (`<x:row>`, `<x:c>`)."""
    from django.core.exceptions import ValidationError

    from fund_portal.spreadsheets import open_sheet

    sheet = (
        b'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c></x:row>'
        b'<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
    )
    data = hostile.xlsx_with_sheet(sheet)  # refused before any XML parser sees the prefix
    with pytest.raises(ValidationError) as refused:
        open_sheet(data, name="bom.xlsx")
    assert refused.value.code == "too_many_rows"
