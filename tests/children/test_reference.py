"""Reference data of the children registry: ethnic groups, special circumstances, age bands. No database."""

import math

import pytest

from children.reference.ages import AGE_BANDS, age_band
from children.reference.circumstances import (
    SENSITIVE_CODES,
    SPECIAL_CIRCUMSTANCES,
    choices_groups,
    choices_subgroups,
    group,
    is_sensitive,
    subgroup,
)
from children.reference.ethnic import (
    ETHNIC_GROUPS,
    ETHNIC_GROUPS_BY_CODE,
    ETHNIC_SHARES,
    KINH,
    ethnic_group_name,
)

# --- ethnic groups --------------------------------------------------------------------------------------


def test_the_54_ethnic_groups_have_the_codes_01_to_54_in_order_with_unique_names():
    codes = [code for code, _name in ETHNIC_GROUPS]
    assert codes == [f"{n:02d}" for n in range(1, 55)]
    names = [name for _code, name in ETHNIC_GROUPS]
    assert len(set(names)) == 54 and all(name.strip() == name and name for name in names)
    assert ETHNIC_GROUPS_BY_CODE == dict(ETHNIC_GROUPS)


@pytest.mark.parametrize(
    "code,name",
    [("01", "Kinh"), ("02", "Tày"), ("04", "Hoa"), ("06", "Mường"), ("09", "Dao"), ("54", "Rơ-măm")],
)
def test_codes_follow_the_1979_list_not_the_2008_one(code, name):
    assert ethnic_group_name(code) == name


def test_kinh_is_01_and_the_default_of_the_child_model():
    from children.models import Child

    assert KINH == "01" and ETHNIC_GROUPS[0] == ("01", "Kinh")
    assert Child._meta.get_field("ethnicity").default == KINH


def test_an_unknown_ethnic_code_is_an_error():
    with pytest.raises(KeyError):
        ethnic_group_name("55")


def test_census_shares_cover_every_group_and_sum_to_100():
    assert set(ETHNIC_SHARES) == set(ETHNIC_GROUPS_BY_CODE)
    assert math.isclose(sum(ETHNIC_SHARES.values()), 100, abs_tol=0.01)
    assert all(share > 0 for share in ETHNIC_SHARES.values())
    assert 85 < ETHNIC_SHARES["01"] < 86
    largest = sorted(ETHNIC_SHARES, key=ETHNIC_SHARES.get, reverse=True)[:8]
    assert set(largest) == {"01", "02", "03", "05", "06", "07", "08", "09"}


def test_the_shares_can_drive_a_random_draw():
    import random

    draw = random.Random(7).choices(list(ETHNIC_SHARES), weights=list(ETHNIC_SHARES.values()), k=2000)
    assert 0.8 < draw.count("01") / len(draw) < 0.9


# --- special circumstances ------------------------------------------------------------------------------


def test_the_14_groups_of_article_10_are_in_the_laws_order():
    assert [g.code for g in SPECIAL_CIRCUMSTANCES] == [f"G{n:02d}" for n in range(1, 15)]
    assert "".join(g.point for g in SPECIAL_CIRCUMSTANCES) == "abcdđeghiklmno"
    assert [g.decree_article for g in SPECIAL_CIRCUMSTANCES] == list(range(3, 17))
    assert SPECIAL_CIRCUMSTANCES[0].name == "Trẻ em mồ côi cả cha và mẹ"
    assert SPECIAL_CIRCUMSTANCES[4].name == "Trẻ em nhiễm HIV/AIDS"
    assert SPECIAL_CIRCUMSTANCES[13].name.startswith("Trẻ em di cư, trẻ em lánh nạn, tị nạn")
    assert len({g.name for g in SPECIAL_CIRCUMSTANCES}) == 14
    assert all(g.name_en for g in SPECIAL_CIRCUMSTANCES)


def test_subgroup_codes_are_unique_numbered_from_1_and_start_with_their_group_code():
    all_codes = [s.code for g in SPECIAL_CIRCUMSTANCES for s in g.subgroups]
    assert len(all_codes) == len(set(all_codes))
    for g in SPECIAL_CIRCUMSTANCES:
        assert g.subgroups, g.code
        assert [s.code for s in g.subgroups] == [f"{g.code}.{n}" for n in range(1, len(g.subgroups) + 1)]
        for s in g.subgroups:
            assert s.code.startswith(g.code + ".") and s.group_code == g.code and s.group is g
            assert s.name and s.name_en and len(s.code) <= 12  # Circumstance.subgroup max_length


def test_codes_fit_the_circumstance_model():
    from children.models import Circumstance

    assert all(len(g.code) <= Circumstance._meta.get_field("group").max_length for g in SPECIAL_CIRCUMSTANCES)


def test_lookups_by_code():
    assert group("G02").name == "Trẻ em bị bỏ rơi"
    assert subgroup("G01.3").name == "Trẻ em mồ côi cả cha và mẹ sống với người thân thích"
    assert subgroup("G01.3").group.code == "G01"
    with pytest.raises(KeyError):
        group("G15")
    with pytest.raises(KeyError):
        subgroup("G01.9")


def test_the_sensitive_groups_are_the_seven_the_portal_protects():
    assert SENSITIVE_CODES == {"G05", "G06", "G07", "G09", "G10", "G11", "G12"}
    assert SENSITIVE_CODES == {g.code for g in SPECIAL_CIRCUMSTANCES if g.sensitive}


@pytest.mark.parametrize(
    "code", ["G05", "G05.1", "G06", "G06.2", "G07", "G09.2", "G10.1", "G11", "G11.5", "G12"]
)
def test_sensitive_groups_and_their_subgroups(code):
    assert is_sensitive(code)


@pytest.mark.parametrize("code", ["G01", "G01.1", "G02.2", "G03", "G04", "G04.1", "G08", "G13.1", "G14"])
def test_plain_groups_and_their_subgroups(code):
    assert not is_sensitive(code)


@pytest.mark.parametrize("code", ["G99", "G05.99", "", "g05"])
def test_an_unknown_code_is_treated_as_sensitive(code):
    assert is_sensitive(code)


def assert_django_choices(choices):
    assert isinstance(choices, list) and choices
    assert all(
        isinstance(item, tuple) and len(item) == 2 and all(isinstance(part, str) for part in item)
        for item in choices
    )
    assert len({value for value, _label in choices}) == len(choices)


def test_choices_are_lists_of_string_pairs_usable_by_django():
    from django import forms

    assert_django_choices(choices_groups())
    assert_django_choices(choices_subgroups())
    assert_django_choices(choices_subgroups("G01"))
    assert choices_groups()[0] == ("G01", "Trẻ em mồ côi cả cha và mẹ")
    assert [code for code, _ in choices_subgroups("G02")] == ["G02.1", "G02.2"]
    assert len(choices_subgroups()) == sum(len(g.subgroups) for g in SPECIAL_CIRCUMSTANCES)
    field = forms.ChoiceField(choices=choices_subgroups)
    assert field.clean("G11.1") == "G11.1"
    with pytest.raises(forms.ValidationError):
        field.clean("G11.9")


# --- age bands ------------------------------------------------------------------------------------------


def test_the_age_bands_cover_0_to_15_without_gaps():
    assert [(low, high) for low, high, _label in AGE_BANDS] == [(0, 2), (3, 5), (6, 10), (11, 15)]
    covered = [age for low, high, _label in AGE_BANDS for age in range(low, high + 1)]
    assert covered == list(range(16))


@pytest.mark.parametrize(
    "age,label",
    [
        (0, "0–2 tuổi"),
        (2, "0–2 tuổi"),
        (3, "3–5 tuổi"),
        (5, "3–5 tuổi"),
        (6, "6–10 tuổi"),
        (10, "6–10 tuổi"),
        (11, "11–15 tuổi"),
        (15, "11–15 tuổi"),
    ],
)
def test_age_band_edges(age, label):
    assert age_band(age) == label


@pytest.mark.parametrize("age", [-1, 16, 100])
def test_an_age_outside_childhood_is_refused(age):
    with pytest.raises(ValueError):
        age_band(age)


@pytest.mark.parametrize("age", [2.5, "3", None, True])
def test_an_age_that_is_not_a_whole_number_is_refused(age):
    with pytest.raises(TypeError):
        age_band(age)
