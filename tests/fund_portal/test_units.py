"""The administrative tree is data: it works with the three-level and the two-level shape."""

import pytest
from django.core.exceptions import ValidationError

from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.scope import visible_unit_ids
from fund_portal.services import DATA_DIR, unit_save, units_load, units_load_file
from tests.factories import UnitFactory, officer, staff

pytestmark = pytest.mark.django_db


def test_three_level_tree_of_thanh_hoa_loads_with_trieu_son_and_its_communes():
    created, updated = units_load_file(path=DATA_DIR / "units_38_legacy.json")
    assert created == AdministrativeUnit.objects.count() > 500
    trieu_son = AdministrativeUnit.objects.get(code="397")
    assert trieu_son.level == UnitLevel.DISTRICT
    assert trieu_son.parent.code == "38"
    dan_ly = AdministrativeUnit.objects.get(name="Xã Dân Lý")
    assert dan_ly.parent == trieu_son
    assert dan_ly.path == "38/397/15703/"
    assert (
        AdministrativeUnit.objects.filter(path__startswith=trieu_son.path, level=UnitLevel.COMMUNE).count()
        == 32
    )


def test_loading_the_same_tree_twice_changes_nothing():
    units_load_file(path=DATA_DIR / "units_38_legacy.json")
    before = AdministrativeUnit.objects.count()
    assert units_load_file(path=DATA_DIR / "units_38_legacy.json") == (0, 0)
    assert AdministrativeUnit.objects.count() == before


def test_two_level_tree_has_communes_directly_under_the_province_and_scopes_them():
    units_load_file(path=DATA_DIR / "units_38_2025.json")
    province = AdministrativeUnit.objects.get(code="38")
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
    assert communes.count() == 166
    assert not AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT).exists()
    assert set(communes.values_list("parent", flat=True)) == {province.pk}

    province_staff = staff(province)
    assert len(visible_unit_ids(province_staff)) == 167
    commune = communes.first()
    village = UnitFactory(code="V1", name="Bản Một", level=UnitLevel.VILLAGE, parent=commune)
    commune_officer = officer(commune)
    assert set(AdministrativeUnit.objects.visible_to(commune_officer)) == {commune, village}


def test_a_unit_must_sit_under_a_higher_level(tree):
    with pytest.raises(ValidationError) as error:
        unit_save(
            unit=AdministrativeUnit(code="X1", name="Xã Lạc", level=UnitLevel.COMMUNE, parent=tree["va"])
        )
    assert "parent" in error.value.message_dict
    with pytest.raises(ValidationError):
        unit_save(unit=AdministrativeUnit(code="X2", name="Huyện Lạc", level=UnitLevel.DISTRICT, parent=None))
    with pytest.raises(ValidationError):
        unit_save(
            unit=AdministrativeUnit(code="X3", name="Tỉnh Lạc", level=UnitLevel.PROVINCE, parent=tree["d1"])
        )
    assert not AdministrativeUnit.objects.filter(code__startswith="X").exists()


def test_moving_a_commune_to_another_district_moves_its_villages_and_its_scope(tree):
    commune = tree["b"]
    commune.parent = tree["d2"]
    unit_save(unit=commune)
    tree["vb"].refresh_from_db()
    assert tree["vb"].path == "90/902/90102/90102-01/"
    assert tree["vb"] in AdministrativeUnit.objects.visible_to(staff(tree["d2"]))
    assert tree["vb"] not in AdministrativeUnit.objects.visible_to(staff(tree["d1"]))


def test_loading_rows_with_an_unknown_parent_is_refused_and_writes_nothing():
    rows = [
        {"code": "91", "name": "Tỉnh Mới", "level": "province", "parent": None},
        {"code": "9101", "name": "Xã Mồ Côi", "level": "commune", "parent": "9999"},
    ]
    with pytest.raises(ValidationError):
        units_load(rows=rows)
    assert not AdministrativeUnit.objects.exists()


def test_flags_of_a_commune_are_data(tree):
    units_load(
        rows=[
            {
                "code": "90101",
                "name": "Xã An",
                "level": "commune",
                "parent": "901",
                "is_especially_difficult": True,
                "is_ethnic_mountainous": True,
            }
        ]
    )
    tree["a"].refresh_from_db()
    assert tree["a"].is_especially_difficult and tree["a"].is_ethnic_mountainous
