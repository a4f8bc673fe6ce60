"""The commune's Excel list of children: template, import (all or nothing), re-import, export and its log."""

import datetime as dt
import io
import unicodedata

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from children.imports import child_rows as children_importing
from children.imports.child_export import children_template
from children.imports.child_rows import HEADERS
from children.imports.children import children_import
from children.models import AccessLog, Child, ChildStatusChange, Circumstance
from children.reference.circumstances import SENSITIVE_CODES
from fund_portal.exports import xlsx_bytes
from fund_portal.models import Role
from tests.factories import UserFactory, give_totp, officer, staff

pytestmark = pytest.mark.django_db

BASE_HEADERS = ["Họ và tên", "Ngày sinh", "Giới tính (Nam/Nữ)", "Mã định danh cá nhân", "Mã xã", "Thôn"]
SENSITIVE = sorted(SENSITIVE_CODES)[0]


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


def xlsx(rows, headers=BASE_HEADERS) -> bytes:
    """A real workbook written with openpyxl: dates stay Excel date cells, text stays text."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(data: bytes, by, *, dry_run=False):
    return children_import(uploaded=io.BytesIO(data), by=by, dry_run=dry_run, name="danh-sach.xlsx")


def read_xlsx(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def officer_a(tree):
    return officer(tree["a"], username="canbo_a")


def grant_sensitive(user):
    user.user_permissions.add(Permission.objects.get(codename="view_sensitive"))
    return type(user).objects.get(pk=user.pk)


def test_the_template_downloads_with_vietnamese_headers_and_imports_again(client, tree, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("children:import_template"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == [h for h in HEADERS if h != "Ghi chú sức khỏe"]
    codes = [row[0] for row in book.worksheets[1].iter_rows(values_only=True)]
    assert "G01" in codes and SENSITIVE not in codes and "01" in codes and tree["a"].code in codes
    result = run(response.content, officer_a, dry_run=True)
    assert result.ok, result.error_messages()
    assert result.rows == 1 and result.created == 1 and not Child.objects.exists()
    assert SENSITIVE in [
        row[0]
        for row in openpyxl.load_workbook(io.BytesIO(children_template(by=grant_sensitive(officer_a))))
        .worksheets[1]
        .iter_rows(values_only=True)
    ]


def test_dates_as_text_or_excel_cells_and_nfd_names_are_the_same_child(tree, officer_a):
    born = years_ago(7)
    nfc = unicodedata.normalize("NFC", "Nguyễn Thị Hằng")
    nfd = unicodedata.normalize("NFD", "  nguyễn   thị hằng ")
    assert nfc != nfd.strip()
    first = run(xlsx([[nfc, born, "Nữ", "", tree["a"].code, "Thôn 1 Xã An"]]), officer_a)
    assert first.ok and first.written, first.error_messages()
    again = run(xlsx([[nfd, born.strftime("%d/%m/%Y"), "nu", "", "90101", ""]]), officer_a)
    assert again.ok, again.error_messages()
    assert again.created == 0 and again.updated == 1
    child = Child.objects.get()
    assert child.full_name == "nguyễn thị hằng" and unicodedata.is_normalized("NFC", child.full_name)
    assert child.birth_date == born and child.sex == "female" and child.village is None
    assert (
        ChildStatusChange.objects.filter(
            child=child, status_from="", status_to="active", by=officer_a
        ).count()
        == 1
    )


def test_a_dry_run_writes_nothing_and_a_full_import_then_updates_without_duplicating(tree, officer_a):
    headers = [
        *BASE_HEADERS,
        "Dân tộc",
        "Hộ nghèo/cận nghèo",
        "Nhóm hoàn cảnh đặc biệt",
        "Đồng ý lưu dữ liệu",
    ]
    rows = [
        ["Lò Văn Páo", years_ago(6), "Nam", "038212345678", "", "", "Hmông", "Hộ nghèo", "G01", "Có"],
        ["Hà Thị Mai", years_ago(9), "Nữ", "", "", "", "02", "", "G04; Trẻ em bị bỏ rơi", "Không"],
    ]
    dry = run(xlsx(rows, headers), officer_a, dry_run=True)
    assert dry.ok and dry.created == 2 and not dry.written
    assert not Child.objects.exists() and not Circumstance.objects.exists()
    done = run(xlsx(rows, headers), officer_a)
    assert done.written and done.created == 2
    pao = Child.objects.get(personal_id="038212345678")
    assert pao.commune == tree["a"] and pao.ethnicity == "08" and pao.poverty == "poor"
    assert pao.province_id == tree["province"].pk  # given by the import, checked by the database
    assert pao.data_consent and pao.consent_recorded_by == officer_a and pao.priority > 0
    assert set(
        Circumstance.objects.filter(child__full_name="Hà Thị Mai").values_list("group", flat=True)
    ) == {
        "G02",
        "G04",
    }
    # Again, with Páo renamed and one group dropped: updated in place, groups only ever added.
    rows[0][0], rows[1][8] = "Lò Văn Pao", "G13"
    again = run(xlsx(rows, headers), officer_a)
    assert again.ok and again.created == 0 and again.updated == 2
    assert Child.objects.count() == 2
    assert Child.objects.get(personal_id="038212345678").full_name == "Lò Văn Pao"
    assert set(
        Circumstance.objects.filter(child__full_name="Hà Thị Mai").values_list("group", flat=True)
    ) == {
        "G02",
        "G04",
        "G13",
    }
    same = run(xlsx(rows, headers), officer_a)
    assert same.ok and same.unchanged == 2 and same.updated == 0


def test_a_file_with_more_rows_than_the_import_takes_is_refused_whole(tree, officer_a, monkeypatch):
    monkeypatch.setattr(children_importing._RowReader, "max_rows", 2)
    rows = [
        ["Lò Văn Páo", years_ago(6), "Nam"],
        ["Hà Thị Mai", years_ago(9), "Nữ"],
        ["Vi Văn Tú", years_ago(4), "Nam"],
    ]
    result = run(xlsx(rows), officer_a)

    assert [(error.row, error.code) for error in result.errors] == [(None, "too_many_rows")]
    assert result.errors[0].message == "Tệp có hơn 2 dòng; vui lòng chia thành các tệp nhỏ hơn."
    assert not result.written and not Child.objects.exists()
    assert run(xlsx(rows[:2]), officer_a).ok


def test_one_bad_row_writes_nothing_and_every_bad_row_is_reported_in_vietnamese(tree, officer_a):
    future = timezone.localdate() + dt.timedelta(days=2)
    rows = [
        ["Nguyễn Văn Tốt", years_ago(5), "Nam", "", "", ""],
        ["Trần Văn Tương Lai", future, "Nam", "", "", ""],
        ["Lê Thị Lớn", years_ago(16), "Nữ", "", "", ""],
        ["Phạm Văn Số", years_ago(4), "Nam", "12345", "", ""],
        ["Vũ Văn Xã", years_ago(4), "Nam", "", "99999", ""],
        ["Đỗ Văn Thôn", years_ago(4), "Nam", "", "", "Thôn Không Có"],
        ["", years_ago(4), "Nam", "", "", ""],
        ["Bùi Văn Khác", years_ago(4), "Nam", "", tree["b"].code, ""],
    ]
    result = run(xlsx(rows), officer_a)
    assert not result.ok and not result.written
    assert not Child.objects.exists()
    messages = result.error_messages()
    expected = [
        f"Dòng 3, cột Ngày sinh: Ngày sinh {future:%d/%m/%Y} là ngày trong tương lai.",
        f"Dòng 4, cột Ngày sinh: Sinh ngày {years_ago(16):%d/%m/%Y}, "
        "người này đã đủ 16 tuổi nên không còn là trẻ em.",
        "Dòng 5, cột Mã định danh cá nhân: “12345” không phải là mã định danh cá nhân: mã gồm 12 chữ số.",
        "Dòng 6, cột Mã xã: Không có xã nào có mã hoặc tên “99999”.",
        "Dòng 7, cột Thôn: “Thôn Không Có” không thuộc Xã An.",
        "Dòng 8, cột Họ và tên: Họ và tên của trẻ đang để trống.",
        "Dòng 9, cột Mã xã: Xã Bình nằm ngoài đơn vị của bạn.",
    ]
    assert messages == expected
    assert result.bad_rows == 7


def test_an_unknown_group_and_a_sensitive_group_without_the_permission_are_refused(tree, officer_a):
    headers = [*BASE_HEADERS, "Nhóm hoàn cảnh đặc biệt", "Ghi chú sức khỏe"]
    rows = [
        ["Mai Văn Một", years_ago(5), "Nam", "", "", "", "G99", ""],
        ["Mai Văn Hai", years_ago(5), "Nam", "", "", "", SENSITIVE, ""],
        ["Mai Văn Ba", years_ago(5), "Nam", "", "", "", "", "Hen suyễn"],
    ]
    result = run(xlsx(rows, headers), officer_a)
    assert result.error_messages() == [
        "Dòng 2, cột Nhóm hoàn cảnh đặc biệt: “G99” không phải là nhóm trẻ em có hoàn cảnh đặc biệt.",
        "Dòng 3, cột Nhóm hoàn cảnh đặc biệt: Ghi nhận nhóm này cần quyền xem dữ liệu nhạy cảm.",
        "Dòng 4, cột Ghi chú sức khỏe: Ghi chú sức khỏe cần quyền xem dữ liệu nhạy cảm.",
    ]
    assert not Child.objects.exists()
    allowed = run(xlsx(rows[1:], headers), grant_sensitive(officer_a))
    assert allowed.ok and allowed.written
    assert Circumstance.objects.get().group == SENSITIVE
    assert Child.objects.get(full_name="Mai Văn Ba").health_notes == "Hen suyễn"


def test_district_staff_import_into_their_communes_only_and_need_the_commune_column(tree):
    district = staff(tree["d1"])
    no_commune = run(xlsx([["Ngô Văn Huyện", years_ago(3), "Nam"]], BASE_HEADERS[:3]), district)
    assert no_commune.error_messages() == ["Tệp thiếu (các) cột: Mã xã."]
    rows = [["Ngô Văn Huyện", years_ago(3), "Nam", "", tree["b"].code, ""]]
    assert run(xlsx(rows), district).written
    outside = run(xlsx([["Ngô Văn Xa", years_ago(3), "Nam", "", tree["c"].code, ""]]), district)
    assert outside.error_messages() == ["Dòng 2, cột Mã xã: Xã Cường nằm ngoài đơn vị của bạn."]
    assert list(Child.objects.values_list("commune__code", flat=True)) == [tree["b"].code]


def test_a_personal_id_of_a_child_outside_the_officers_unit_is_refused_without_saying_it_exists(
    tree, officer_a
):
    from children.models import DuplicateAlert

    run(xlsx([["Đinh Văn Cường", years_ago(8), "Nam", "038299999999", "", ""]]), officer(tree["c"]))
    result = run(xlsx([["Đinh Văn Cường", years_ago(8), "Nam", "038299999999", "", ""]]), officer_a)
    assert result.error_messages() == [
        "Dòng 2, cột Mã định danh cá nhân: Mã định danh cá nhân 038299999999 cần được Quỹ kiểm tra "
        "trước khi ghi nhận; cán bộ Quỹ đã được báo. Để trống mã để nhập trẻ ngay."
    ]
    assert Child.objects.count() == 1
    alert = DuplicateAlert.objects.get()  # the province's staff see both records
    assert alert.unit == tree["province"] and alert.commune == tree["a"] and alert.by == officer_a


def test_the_portal_import_page_checks_then_imports(client, tree, officer_a):
    client.force_login(officer_a)
    data = xlsx([["Quách Văn Trang", years_ago(4).strftime("%d/%m/%Y"), "Nam", "", "", ""]])
    upload = SimpleUploadedFile("ds.xlsx", data)
    page = client.post(reverse("children:import"), {"file": upload, "dry_run": "on"})
    assert page.status_code == 200 and "Tệp hợp lệ" in page.content.decode()
    assert "<th>Khi nhập</th>" in page.content.decode() and "<td>mới</td>" in page.content.decode()
    assert not Child.objects.exists()
    done = client.post(reverse("children:import"), {"file": SimpleUploadedFile("ds.xlsx", data)})
    assert done.status_code == 302 and Child.objects.count() == 1
    again = client.post(
        reverse("children:import"), {"file": SimpleUploadedFile("ds.xlsx", data), "dry_run": "on"}
    )
    assert "<td>không thay đổi</td>" in again.content.decode()  # the same file again changes nothing
    auditor = UserFactory(role=Role.AUDITOR, unit=tree["a"])
    give_totp(auditor)
    client.force_login(auditor)
    assert client.get(reverse("children:import")).status_code == 403


def test_the_export_asks_a_reason_logs_the_ids_and_leaves_out_sensitive_data(client, tree, officer_a):
    headers = [*BASE_HEADERS, "Nhóm hoàn cảnh đặc biệt", "Ghi chú sức khỏe"]
    rows = [
        ["@Nguyễn Văn Công", years_ago(5), "Nam", "", "", "", f"G01; {SENSITIVE}", "Tim bẩm sinh"],
        ["Trịnh Thị Hoa", years_ago(6), "Nữ", "", "", "", "G04", ""],
    ]
    assert run(xlsx(rows, headers), grant_sensitive(officer(tree["a"], username="yte_a"))).written
    run(xlsx([["Lý Văn Khác", years_ago(6), "Nam", "", "", ""]]), officer(tree["b"]))
    client.force_login(officer_a)
    url = reverse("children:export")
    form = client.get(url, {"q": "", "group": "G01"})
    assert form.status_code == 200 and "Lý do xuất" in form.content.decode()
    refused = client.post(url, {"reason": " ", "group": "G01"})
    assert refused.status_code == 200 and "Hãy nêu lý do xuất dữ liệu." in refused.content.decode()
    assert not AccessLog.objects.exists()
    response = client.post(url, {"reason": "Báo cáo huyện", "q": "", "group": ""})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = read_xlsx(response.content)
    assert sheet[0] == [h for h in HEADERS if h != "Ghi chú sức khỏe"]
    formula_row = next(row for row in sheet if "Công" in str(row[0]))
    assert (
        formula_row[0] == "'@Nguyễn Văn Công"
        and formula_row[HEADERS.index("Nhóm hoàn cảnh đặc biệt")] == "G01"
    )
    assert (
        "Tim bẩm sinh" not in str(sheet) and SENSITIVE not in str(sheet) and "Lý Văn Khác" not in str(sheet)
    )
    log = AccessLog.objects.get()
    assert log.action == "export" and log.reason == "Báo cáo huyện" and log.unit == tree["a"]
    assert sorted(log.child_ids) == sorted(
        Child.objects.filter(commune=tree["a"]).values_list("pk", flat=True)
    )
    assert log.children_count == 2 and log.user == officer_a
    # An export imports again, changing nothing.
    again = run(response.content, officer_a)
    assert again.ok and again.unchanged == 2, again.error_messages()


def test_the_admin_action_exports_the_selected_children_after_asking_the_reason(client, tree):
    district = staff(tree["d1"])
    run(xlsx([["Hồ Văn Admin", years_ago(5), "Nam", "", tree["a"].code, ""]]), district)
    child = Child.objects.get()
    client.force_login(district)
    url = reverse("admin:children_child_changelist")
    data = {"action": "export_selected", "_selected_action": [child.pk]}
    ask = client.post(url, data)
    assert ask.status_code == 200 and "Lý do xuất" in ask.content.decode()
    assert not AccessLog.objects.exists()
    done = client.post(url, {**data, "reason": "Đối chiếu danh sách"})
    assert done["Content-Type"].startswith("application/vnd.openxml")
    assert AccessLog.objects.get().child_ids == [child.pk]
    page = client.get(reverse("admin:children_child_import"))
    assert page.status_code == 200
    assert client.get(reverse("admin:children_child_import_template")).status_code == 200


def test_the_management_command_imports_and_refuses_bad_arguments(tmp_path, tree, officer_a):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx([["Tạ Văn Lệnh", years_ago(5), "Nam", "", "", ""]]))
    out = io.StringIO()
    call_command("import_children", str(path), "--user", "canbo_a", "--dry-run", stdout=out)
    assert "không ghi gì" in out.getvalue() and not Child.objects.exists()
    call_command("import_children", str(path), "--user", "canbo_a", stdout=io.StringIO())
    assert Child.objects.count() == 1
    with pytest.raises(CommandError, match="Không có người dùng nào tên ai_do"):
        call_command("import_children", str(path), "--user", "ai_do")
    with pytest.raises(CommandError, match="Không đọc được"):
        call_command("import_children", str(tmp_path / "khong-co.xlsx"), "--user", "canbo_a")
    bad = tmp_path / "sai.xlsx"
    bad.write_bytes(xlsx([["", years_ago(5), "Nam", "", "", ""]]))
    with pytest.raises(CommandError, match="Tệp bị từ chối"):
        call_command("import_children", str(bad), "--user", "canbo_a", stderr=io.StringIO())
    assert Child.objects.count() == 1


def test_xlsx_bytes_files_and_csv_files_read_the_same(tree, officer_a):
    data = xlsx_bytes(
        title="ds", headers=BASE_HEADERS[:3], rows=[["Cao Văn Csv", years_ago(5).strftime("%d/%m/%Y"), "Nam"]]
    )
    assert run(data, officer_a).written
    csv = f"Họ và tên,Ngày sinh,Giới tính\nCao Văn Csv,{years_ago(5):%d/%m/%Y},Nam\n".encode()
    again = run(csv, officer_a)
    assert again.ok and again.unchanged == 1 and Child.objects.count() == 1


def test_new_children_get_the_priority_that_priority_recompute_gives(tree, officer_a):
    from children.priority import priority_recompute, weights_ensure

    weights_ensure()
    officer_a.user_permissions.add(Permission.objects.get(codename="view_sensitive"))  # for G07
    officer_a = type(officer_a).objects.get(pk=officer_a.pk)
    headers = [*BASE_HEADERS, "Hộ nghèo/cận nghèo", "Bỏ học (Có/Không)", "Nhóm hoàn cảnh đặc biệt"]
    rows = [
        ["Kim Văn Một", years_ago(9), "Nam", "", "", "", "Hộ nghèo", "Có", "G01; G01.2; G04"],
        ["Kim Thị Hai", years_ago(9), "Nữ", "", "", "", "Cận nghèo", "Không", ""],
        ["Kim Văn Ba", years_ago(9), "Nam", "", "", "", "", "x", "G13"],
        ["Kim Văn Bốn", years_ago(9), "Nam", "", "", "", "", "", "G07; G04"],
    ]
    assert run(xlsx(rows, headers), officer_a).written
    loaded = {pk: row for pk, *row in Child.objects.values_list("pk", "priority", "priority_visible")}
    assert all(priority for priority, _visible in loaded.values())
    # The drugs group (25) counts as the heaviest sensitive group (40) in the visible priority.
    assert sorted(visible - priority for priority, visible in loaded.values()) == [0, 0, 0, 15]
    priority_recompute()
    assert {pk: row for pk, *row in Child.objects.values_list("pk", "priority", "priority_visible")} == loaded


def test_a_row_shorter_than_the_header_reads_its_missing_cells_as_empty(tree, officer_a):
    """A CSV line may stop before the last columns (no trailing commas): those cells are empty."""
    born = years_ago(6)
    csv = (
        "Họ và tên,Ngày sinh,Giới tính,Thôn,Trường,Lớp\n"
        f"Lò Thị Ngắn,{born:%d/%m/%Y},Nữ\n"
        f"Lò Văn Đủ,{born:%d/%m/%Y},Nam,,Trường Tiểu học,3\n"
    ).encode()
    result = run(csv, officer_a)
    assert result.written, result.error_messages()
    short = Child.objects.get(full_name="Lò Thị Ngắn")
    assert (short.village_id, short.school, short.grade) == (None, "", "")
    assert Child.objects.get(full_name="Lò Văn Đủ").grade == "3"
