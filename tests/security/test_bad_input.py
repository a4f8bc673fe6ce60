"""Bad input gets a clear Vietnamese answer, never a server error, and writes nothing.

NUL bytes in addresses, spreadsheets whose reader fails with an English message, uploads too large
to be read, a workbook whose shared strings would stay in the worker's memory, a photo that is no
photo, and the passwords Vietnamese users choose most.
"""

import io
import textwrap
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from fund_portal.spreadsheets import open_sheet
from tests.factories import officer
from tests.processes import run_python

from . import spreadsheets as hostile

NUL_REFUSED = "Địa chỉ có một ký tự không được phép."


def _refusal(data, name="tep.xlsx") -> str:
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        open_sheet(data, name=name)
    return " ".join(refused.value.messages)


# NUL bytes ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/donate/%00/", "/donate/a%00b/", "/transparency/?year=%00", "/?x=1&q%00=1"])
def test_a_nul_byte_in_a_public_address_gets_a_vietnamese_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert NUL_REFUSED in response.content.decode()


@pytest.mark.django_db
def test_a_nul_byte_in_a_portal_search_gets_a_vietnamese_400(client, tree):
    client.force_login(officer(tree["a"]))
    for url in ("/portal/children/?q=%00", "/portal/children/?q=Nguy%00en", "/admin/autocomplete/?term=%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert NUL_REFUSED in response.content.decode()
    assert client.get("/portal/children/?q=Nguyen").status_code == 200


@pytest.mark.django_db
def test_a_nul_byte_in_a_post_body_is_left_to_the_form_which_refuses_it(client):
    """Only the address is checked up front: form fields refuse NUL themselves, in Vietnamese."""
    response = client.post("/accounts/login/", {"login": "a\x00b", "password": "x"})
    assert response.status_code == 200
    assert "Không được dùng ký tự NUL (mã 0)." in response.content.decode()


@pytest.mark.django_db
def test_djangos_own_bad_requests_get_the_vietnamese_400_page_too(client):
    """Too many fields (SuspiciousOperation) answered Django's English "Bad Request (400)"."""
    for response in (
        client.post("/accounts/login/", {f"f{i}": "x" for i in range(1100)}),
        client.get("/", {f"f{i}": "x" for i in range(1100)}),
    ):
        assert response.status_code == 400
        assert "Yêu cầu không hợp lệ" in response.content.decode()


# Spreadsheets ------------------------------------------------------------------------------------


def test_a_csv_with_a_10_mb_field_is_refused_in_vietnamese():
    data = ("Họ và tên,Ngày sinh\n" + "A" * 10_000_000 + ",01/01/2015\n").encode()
    message = _refusal(data, "dai.csv")
    assert "dai.csv có một ô dài hơn 131.072 ký tự" in message
    assert "field limit" not in message


def test_a_csv_that_breaks_the_csv_reader_is_refused_in_vietnamese():
    message = _refusal(b"Ho va ten,Ngay sinh\rAn,1\nBinh,2", "hong.csv")
    assert message.startswith("Không đọc được hong.csv như một tệp CSV"), message


@pytest.mark.parametrize(
    "member",
    ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"],
)
@pytest.mark.parametrize("size", [0, 1, 10**9])
def test_a_zip_whose_sizes_lie_is_refused_in_vietnamese(member, size):
    message = _refusal(hostile.with_lying_size(hostile.xlsx_with_shared_strings(50, used=3), member, size))
    assert "tep.xlsx" in message, message
    for english in ("Cannot", "detect", "format", "error", "zip"):
        assert english not in message, message


def test_what_the_xlsx_reader_cannot_read_is_refused_without_its_english_message():
    message = _refusal(
        hostile.with_lying_size(hostile.xlsx_with_shared_strings(50, used=3), "xl/workbook.xml", 1)
    )
    assert message == "Không đọc được tep.xlsx: tệp bị hỏng hoặc không phải sổ tính Excel."


@override_settings(IMPORT_MAX_SHARED_STRINGS_BYTES=1024 * 1024)
def test_a_workbook_with_too_much_shared_text_is_refused_before_it_is_read():
    data = hostile.xlsx_with_shared_strings(30_000)  # 1.6 MB of shared strings, 0.2 MB zipped
    assert "chứa quá nhiều chữ để nhập một lần (hơn 1 MB)" in _refusal(data)
    assert open_sheet(hostile.xlsx_with_shared_strings(10_000), name="nho.xlsx").headers == ["0" * 40]


class _DeclaredLarge:
    """An upload that Django received to disk and counted: 150 MB. Reading it is the failure."""

    name = "lon.xlsx"
    size = 150 * 1024 * 1024

    def read(self, *args):
        raise AssertionError("the file was read before its size was checked")


def test_an_upload_over_the_limit_is_refused_from_its_size_before_it_is_read():
    assert "lon.xlsx lớn hơn 20 MB" in _refusal(_DeclaredLarge(), "lon.xlsx")


def test_a_stream_of_unknown_size_is_read_no_further_than_the_limit(settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    stream = io.BytesIO(b"Ho va ten\n" + b"An\n" * 100_000)
    assert "lớn hơn 1 MB" in _refusal(stream, "dai.csv")
    assert stream.tell() == 1001


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the process's memory from /proc")
def test_a_large_workbook_leaves_no_memory_behind_once_read(tmp_path):
    """1.5 million shared strings (83 MB of XML, under the limit): the reader's memory comes back.

    Without giving freed memory back (malloc_trim), the process stayed about 75 MB larger."""
    script = textwrap.dedent(
        """
        import gc, sys
        import django
        django.setup()
        from fund_portal.spreadsheets import open_sheet
        from tests.security.spreadsheets import xlsx_with_shared_strings

        def rss():
            for line in open("/proc/self/status"):
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) // 1024

        data = xlsx_with_shared_strings(1_500_000)
        gc.collect()
        before = rss()
        sheet = open_sheet(data, name="lon.xlsx")
        assert sum(1 for _ in sheet.rows) == 0
        del sheet
        gc.collect()
        print(before, rss())
        """
    )
    done = run_python(
        ["-c", script], {"DEBUG": "true", "PYTHONPATH": str(Path(__file__).parents[2])}, tmp_path
    )
    assert done.returncode == 0, done.stderr[-2000:]
    before, after = map(int, done.stdout.split()[-2:])
    assert after - before < 25, (before, after)


# Photos and passwords ----------------------------------------------------------------------------


def test_a_photo_named_html_is_refused_in_vietnamese():
    """A real PNG named .html, as the child's photo field of the record form cleans it."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from children.models import Child

    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    field = Child._meta.get_field("photo").formfield()
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        field.clean(SimpleUploadedFile("anh.html", png.getvalue()))
    message = refused.value.messages[0]
    assert message.startswith("Không cho phép tệp có đuôi “html”. Các đuôi được phép:"), message
    assert field.clean(SimpleUploadedFile("anh.png", png.getvalue())).name == "anh.png"


@pytest.mark.parametrize(
    "password",
    ["matkhau123", "MatKhau123", "Mật khẩu 123", "anhyeuem123", "iloveyou2024", "0987654321", "68686868"],
)
def test_passwords_common_in_vietnam_are_refused_in_vietnamese(password):
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert (
        "Mật khẩu này là một trong những mật khẩu được dùng nhiều nhất ở Việt Nam." in refused.value.messages
    )


def test_djangos_own_list_still_applies_and_a_good_password_passes():
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        validate_password("password123")
    assert "Mật khẩu này quá phổ biến." in refused.value.messages
    validate_password("Quỹ Bảo trợ trẻ em xã Dân Lý, 2026")
