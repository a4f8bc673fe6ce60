"""`manage.py units load`: the national tree of 2025 from the committed list, beside the demo's
three-level Thanh Hóa; loading twice changes nothing; a bad file writes nothing."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.services import DATA_DIR, NATIONAL_FILE, units_load_file

pytestmark = pytest.mark.django_db

LEGACY_THANH_HOA = DATA_DIR / "units_38_legacy.json"

postgresql_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="the planner's statistics are PostgreSQL's (on SQLite the step does nothing); CI runs this "
    "with DATABASE_URL set",
)


def units(*args) -> str:
    out = StringIO()
    call_command("units", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    return {level: AdministrativeUnit.objects.filter(level=level).count() for level in UnitLevel.values}


def snapshot() -> set[tuple]:
    return set(AdministrativeUnit.objects.values_list("pk", "code", "name", "level", "parent_id", "path"))


def test_the_national_tree_has_34_provinces_and_3321_communes_directly_under_them():
    output = units("load", "--national")
    assert counts() == {"province": 34, "district": 0, "commune": 3321, "village": 0}
    assert "Đã tạo 3.355 đơn vị, cập nhật 0 đơn vị" in output
    assert "34 tỉnh, 3.321 xã" in output
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
    assert not communes.exclude(parent__level=UnitLevel.PROVINCE).exists()
    assert not communes.exclude(path__regex=r"^[0-9]{2}/[0-9]{5}/$").exists()
    # The statistics office's codes, as it prints them.
    ba_dinh = AdministrativeUnit.objects.get(code="00004")
    assert (ba_dinh.name, ba_dinh.path, ba_dinh.parent.name) == (
        "Phường Ba Đình",
        "01/00004/",
        "Thành phố Hà Nội",
    )
    thanh_hoa = AdministrativeUnit.objects.get(code="38")
    assert thanh_hoa.children.count() == 166
    assert AdministrativeUnit.objects.get(code="14758").name == "Phường Hàm Rồng"
    assert AdministrativeUnit.objects.filter(name__startswith="Đặc khu").count() == 13


def test_loading_the_national_tree_twice_changes_nothing():
    units("load", "--national")
    before = snapshot()
    output = units("load", "--national")
    assert "Đã tạo 0 đơn vị, cập nhật 0 đơn vị" in output
    assert snapshot() == before


def test_the_committed_2025_tree_of_thanh_hoa_is_the_national_lists_province_38():
    units("load", "--file", str(DATA_DIR / "units_38_2025.json"))
    thanh_hoa = snapshot()
    output = units("load", "--national")
    assert "Đã tạo 3.188 đơn vị, cập nhật 0 đơn vị" in output  # 3,355 less the 167 already there
    assert thanh_hoa <= snapshot()
    rows = json.loads(NATIONAL_FILE.read_text(encoding="utf-8"))
    assert len(rows) == 3355 and len({row["code"] for row in rows}) == 3355


def test_one_province_loads_alone_by_its_code():
    output = units("load", "--province", "38")
    assert counts() == {"province": 1, "district": 0, "commune": 166, "village": 0}
    assert "Đã tạo 167 đơn vị" in output


def test_the_national_load_keeps_the_demos_three_level_thanh_hoa_as_it_is():
    """A merged commune of 2025 carries the code of one of its old communes (14758 was Phường Đông Thọ):
    the national list would move 166 old communes out of their districts. Thanh Hóa is kept; the other
    33 provinces load."""
    units_load_file(path=LEGACY_THANH_HOA)
    demo_tree = snapshot()
    output = units("load", "--national")
    assert "Giữ nguyên Tỉnh Thanh Hóa" in output
    assert demo_tree <= snapshot()
    assert AdministrativeUnit.objects.get(code="14758").path == "38/380/14758/"
    assert AdministrativeUnit.objects.get(code="15703").path == "38/397/15703/"  # Xã Dân Lý of the demo
    assert counts() == {"province": 34, "district": 26, "commune": 549 + 3321 - 166, "village": 0}
    assert "Đã tạo 0 đơn vị" in units("load", "--national")


def test_a_province_held_in_another_shape_is_refused_when_asked_for_by_code():
    units_load_file(path=LEGACY_THANH_HOA)
    before = snapshot()
    with pytest.raises(CommandError, match="mô hình cây khác.*14758") as refused:
        units("load", "--province", "38")
    assert "Không có gì được nạp" in str(refused.value)
    assert snapshot() == before


def test_the_three_level_file_is_refused_over_the_national_tree():
    units("load", "--national")
    before = snapshot()
    with pytest.raises(ValidationError):
        units_load_file(path=LEGACY_THANH_HOA)
    assert snapshot() == before


def test_a_communes_flags_stay_when_the_list_does_not_name_them():
    units("load", "--national")
    AdministrativeUnit.objects.filter(code="14758").update(is_especially_difficult=True)
    units("load", "--national")
    assert AdministrativeUnit.objects.get(code="14758").is_especially_difficult


VALID = [
    {"code": "91", "name": "Tỉnh Mới", "level": "province", "parent": None},
    {"code": "91001", "name": "Xã Một", "level": "commune", "parent": "91"},
]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "không có tệp này"),
        ('[{"code": "91", "name": "Tỉnh Mới"', "không phải JSON hợp lệ (dòng 1)"),
        ('{"code": "91"}', "không phải là một danh sách đơn vị"),
        (VALID + [{"code": "91002", "name": "Xã Mồ Côi", "level": "commune", "parent": "9999"}], "9999"),
        (
            VALID + [{"code": "91003", "name": "Xã Lạ", "level": "town", "parent": "91"}],
            "cấp không hợp lệ town",
        ),
        (VALID + [{"code": "91004", "level": "commune", "parent": "91"}], "Dòng 3 không phải là một đơn vị"),
        (
            VALID + [{"code": "91005", "name": "Tỉnh Con", "level": "province", "parent": "91"}],
            "Đơn vị 91005: Tỉnh không có đơn vị cấp trên.",
        ),
    ],
)
def test_a_bad_units_file_is_refused_in_vietnamese_and_writes_nothing(tmp_path, content, said):
    path = tmp_path / "don-vi.json"
    if content is not None:
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        units("load", "--file", str(path))
    assert said in str(refused.value), str(refused.value)
    assert not AdministrativeUnit.objects.exists()


def test_an_unknown_province_code_is_refused():
    with pytest.raises(CommandError, match="Không có tỉnh nào trong danh sách toàn quốc có mã 99"):
        units("load", "--province", "99")
    assert not AdministrativeUnit.objects.exists()


def test_the_demo_refuses_to_load_over_the_national_thanh_hoa_and_writes_nothing(settings):
    settings.DEBUG = True
    units("load", "--national")
    before = snapshot()
    with pytest.raises(CommandError, match="mô hình cây khác"):
        call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    assert snapshot() == before


def _analyses_of_the_units() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the counters as they are now
        cursor.execute(
            "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = %s",
            [AdministrativeUnit._meta.db_table],
        )
        return cursor.fetchone()[0]


@postgresql_only
def test_a_load_refreshes_the_planners_statistics_of_the_units_at_once():
    before = _analyses_of_the_units()
    units("load", "--province", "38")
    assert _analyses_of_the_units() == before + 1
    # A load that changes nothing leaves them as they are.
    units("load", "--province", "38")
    assert _analyses_of_the_units() == before + 1
