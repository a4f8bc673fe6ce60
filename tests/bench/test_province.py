"""The province benchmark (issue 17) at a tiny size: its data set is loaded once (a second run loads
nothing), the province's staff list pages (portal and admin) are measured and count only the
province's children (the demo's Triệu Sơn children are outside the staff's scope)."""

import pytest

from bench.benchmarks.province import admin_list_measures, children_list_measures
from bench.province_data import PROVINCE_CODE, province_prepare
from children.models import Child
from donations.models import Donation
from fund_portal.models import AdministrativeUnit, UnitLevel

pytestmark = pytest.mark.django_db


def test_the_data_set_is_loaded_once_and_the_list_is_measured():
    prepared = province_prepare(children=200, donations=300, commune_funds=2)
    province = prepared.province
    assert province.code == PROVINCE_CODE and province.level == UnitLevel.PROVINCE
    assert {label.split(" ")[0] for label, _s in prepared.loads} >= {"the", "5", "200", "300"}
    under = AdministrativeUnit.objects.filter(path__startswith=province.path)
    communes = under.filter(level=UnitLevel.COMMUNE).count()
    assert communes == 99 and under.filter(level=UnitLevel.VILLAGE).count() == 5 * communes
    assert AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).count() == 34
    assert Child.objects.filter(commune__path__startswith=province.path).count() == 200
    assert Donation.objects.filter(fund__unit__path__startswith=province.path).count() == 300
    # Three funds (the province's, two communes'): 60% in the province's, the rest split evenly.
    assert Donation.objects.filter(fund__unit=province).count() == 180

    again = province_prepare(children=200, donations=300, commune_funds=2)
    assert again.loads == [] and Child.objects.filter(commune__path__startswith=province.path).count() == 200

    rows = children_list_measures(prepared, repeat=2)
    assert [row.measure.split("/portal/children/ ")[1] for row in rows] == [
        "page 1 p95",
        "last page (7) p95",
    ]
    assert all(row.value > 0 and row.baseline > 0 and row.target == 50 for row in rows)
    assert all("200 children in" in row.note for row in rows)

    admin_rows = admin_list_measures(prepared, repeat=2)
    assert [row.measure.split("changelist ")[1] for row in admin_rows] == ["page 1 p95", "last page (4) p95"]
    assert all(row.value > 0 and row.baseline > 0 and "200 children" in row.note for row in admin_rows)
