"""Plans and targets as data (issue 17): each unit's report prints its own targets against its own figures,
counted over the child population where the unit has entered it, and says so; a count target (14
communes) is the unit's own and never printed in one commune's report.

Tree (tests/reports/conftest.py): province 90 -> D1 (communes A, B), D2 (C)."""

import pytest
from django.core.exceptions import ValidationError

from fund_portal.authority import NotAllowed
from reports.documents.targets import targets_table
from reports.figures.compute import LEGACY_TARGETS, compute_figures, rates
from reports.models import Plan, PlanTarget, Population
from reports.services.plans import plan_save, plan_target_save, population_save
from tests.factories import UserFactory, staff

from .conftest import END, YEAR, d


def figures_of(unit):
    return compute_figures(unit=unit, start=d(1, 1), end=END, year=YEAR)


def table_of(figures) -> dict[str, list]:
    """The targets table as {indicator's words: [result, share, target, denominator]}."""
    table = targets_table(figures, rates(figures))
    return {row[0].split(" (")[0]: row[1:] for row in table.rows}


@pytest.fixture
def plan(district):
    plan = Plan.objects.create(
        unit=district["province"], name="Chương trình bảo vệ trẻ em tỉnh", first_year=2026, last_year=2030
    )
    for unit, indicator, year, value in (
        ("province", "special_supported", None, 95),
        ("province", "poor_supported", None, 90),
        ("province", "poor_supported", YEAR, 100),  # this year's target over the every-year one
        ("province", "play_equipment", None, 30),
        ("d1", "special_supported", None, 98),  # the district's own, nearer than the province's
        ("d1", "play_equipment", None, 14),
    ):
        PlanTarget.objects.create(plan=plan, unit=district[unit], indicator=indicator, year=year, value=value)
    return plan


def test_with_no_plan_no_target_is_printed(district):
    table = table_of(figures_of(district["a"]))
    assert {row[2] for row in table.values()} <= {"Chưa giao", ""}
    assert not any("14" in str(cell) for row in table.values() for cell in row)


def test_each_unit_prints_its_own_targets_and_a_count_target_only_for_its_own_unit(district, plan):
    commune = figures_of(district["a"])
    assert commune["plan"]["targets"] == {
        "special_supported": {"value": 98, "plan": str(plan), "unit": "Huyện Một"},
        "poor_supported": {"value": 100, "plan": str(plan), "unit": "Tỉnh Thử Nghiệm"},
    }
    table = table_of(commune)
    assert table["Trẻ em có hoàn cảnh đặc biệt được hỗ trợ"][2] == "98 %"
    assert table["Trẻ em thuộc hộ nghèo, cận nghèo được hỗ trợ"][2] == "100 %"
    assert table["Xã được hỗ trợ thiết bị vui chơi"][2] == "Chưa giao"  # not the district's 14, not 30
    assert table_of(figures_of(district["d1"]))["Xã được hỗ trợ thiết bị vui chơi"][2] == "14 xã"
    assert table_of(figures_of(district["d2"]))["Trẻ em có hoàn cảnh đặc biệt được hỗ trợ"][2] == "95 %"
    assert table_of(figures_of(district["province"]))["Xã được hỗ trợ thiết bị vui chơi"][2] == "30 xã"
    Plan.objects.filter(pk=plan.pk).update(is_active=False)
    assert figures_of(district["a"])["plan"]["targets"] == {}


def test_rates_are_counted_over_the_population_where_entered_and_say_which(district):
    a, b = district["a"], district["b"]
    registry = table_of(figures_of(a))["Trẻ em thuộc hộ nghèo, cận nghèo được hỗ trợ"]
    assert registry[0].endswith("/2") and registry[3] == "Danh sách quản lý"  # An and Bình
    Population.objects.create(
        unit=a, year=YEAR - 1, children_poor=8, children_under_16=40, source="Thống kê 2025"
    )
    figures = figures_of(a)
    row = table_of(figures)["Trẻ em thuộc hộ nghèo, cận nghèo được hỗ trợ"]
    assert row[0].endswith("/8") and row[3] == "Dân số (Thống kê 2025)"
    assert rates(figures)["poor_supported"] == round(100 * figures["support"]["poor_supported"] / 8, 1)
    coverage = table_of(figures)["Trẻ em dưới 16 tuổi trong danh sách quản lý"]
    assert coverage[0] == "3/40" and coverage[1] == 7.5
    # The district: the sum of its communes only when every commune has entered its population.
    assert figures_of(district["d1"])["plan"]["population"]["children_poor"] is None
    Population.objects.create(unit=b, year=YEAR, children_poor=12)
    assert figures_of(district["d1"])["plan"]["population"]["children_poor"] == {
        "value": 20,
        "source": "communes",
    }
    assert table_of(figures_of(district["d1"]))["Trẻ em thuộc hộ nghèo, cận nghèo được hỗ trợ"][3] == (
        "Dân số (tổng các xã)"
    )


def test_a_report_frozen_before_plans_were_data_prints_the_targets_it_printed(district):
    figures = figures_of(district["a"])
    del figures["plan"]
    table = table_of(figures)
    assert table["Trẻ em có hoàn cảnh đặc biệt được hỗ trợ"][2] == f"{LEGACY_TARGETS['special_supported']} %"
    assert table["Xã được hỗ trợ thiết bị vui chơi"][2] == "14 xã"


def test_plans_and_populations_are_kept_within_scope_by_staff_and_never_by_an_auditor(district, plan):
    staff_d1 = district["staff_d1"]
    auditor = UserFactory(role="auditor", unit=district["d1"], username="kiemtoan")
    with pytest.raises(ValidationError):  # a target for a unit outside the district
        plan_target_save(
            target=PlanTarget(plan=plan, unit=district["c"], indicator="nutrition", value=100), by=staff_d1
        )
    with pytest.raises(ValidationError):  # a year outside the plan
        plan_target_save(
            target=PlanTarget(plan=plan, unit=district["a"], indicator="nutrition", year=2031, value=100),
            by=None,
        )
    with pytest.raises(ValidationError):  # a rate above 100
        plan_target_save(
            target=PlanTarget(plan=plan, unit=district["a"], indicator="nutrition", value=120), by=None
        )
    with pytest.raises(NotAllowed):
        population_save(population=Population(unit=district["a"], year=YEAR, children_poor=5), by=auditor)
    with pytest.raises(ValidationError):
        population_save(population=Population(unit=district["c"], year=YEAR, children_poor=5), by=staff_d1)
    own = plan_save(
        plan=Plan(unit=district["d1"], name="Kế hoạch huyện", first_year=2026, last_year=2027), by=staff_d1
    )
    plan_target_save(
        target=PlanTarget(plan=own, unit=district["a"], indicator="nutrition", value=100), by=staff_d1
    )
    with pytest.raises(ValidationError):  # the province's plan is not the district's to change
        plan_save(plan=Plan.objects.get(pk=plan.pk), by=staff(district["d2"], username="khac"))
    assert not PlanTarget.objects.filter(indicator="nutrition").exclude(plan=own).exists()
    assert not Population.objects.exists()


def test_the_targets_table_is_printed_when_targets_are_set_even_with_no_support_yet(district, plan):
    figures = figures_of(district["c"])
    figures["support"]["special_supported"] = figures["support"]["poor_supported"] = 0
    table = targets_table(figures, rates(figures))
    assert not table.is_empty  # the plan's targets are its content
