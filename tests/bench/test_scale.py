"""The district list's benchmark rows (issue 20) on the small demo: each page the list has, once, named
by its depth; the two-letter search counts only the district's matches."""

import pytest

from bench.benchmarks.scale import TWO_LETTERS, _cases, district_list_measures
from children.models import Child
from fund_portal.models import User
from fund_portal.text import fold

pytestmark = pytest.mark.django_db


def test_the_pages_a_list_has_are_measured_once_each():
    assert _cases(
        [("page 1", 1), ("page 20", 20), ("page 50", 50), ("page 2", 2), ("last page (3)", 3)], 3
    ) == [
        ("page 1", 1),
        ("page 2", 2),
        ("last page (3)", 3),
    ]
    assert _cases([("page 1", 1), ("page 0", 0), ("last page (1)", 1)], 1) == [("page 1", 1)]


def test_the_district_list_and_its_two_letter_search_are_measured_page_by_page():
    rows = district_list_measures()
    staff = User.objects.get(username="canbo.huyen")
    in_district = Child.objects.visible_to(staff)
    matching = [c for c in in_district if TWO_LETTERS in fold(c.full_name)]
    assert in_district.count() > len(matching) > 0
    plain = [r for r in rows if "«" not in r.measure]
    searched = [r for r in rows if f"«{TWO_LETTERS}»" in r.measure]
    assert len(plain) + len(searched) == len(rows) and plain and searched
    assert plain[0].measure == "scale: district children list page 1 p95"
    assert searched[0].measure == f"scale: district children list «{TWO_LETTERS}» page 1 p95"
    assert f"{in_district.count()} children in" in plain[0].note
    assert f"{len(matching)} children in" in searched[0].note
    assert all(r.value > 0 and r.baseline > 0 and r.target == 50 for r in rows)
