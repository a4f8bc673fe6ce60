"""The needs' counts (NeedCount) are kept by the database and always equal the needs counted afresh,
whoever writes: the assessment, a status or consent change, a child moving commune, a merge, a raw
delete; the public needs page reads them."""

import pytest
from django.db import connection
from django.utils import timezone

from children.models import Child, ChildStatus, Need, NeedCount
from children.needs_sql import need_counts_differences, need_counts_rebuild
from children.selectors.public import public_needs_by_commune
from children.services.care import needs_assess
from children.services.registry import child_status_set, consent_set
from donations.models import NeedArea
from tests.factories import officer

pytestmark = pytest.mark.django_db


def kept() -> dict[tuple, tuple]:
    return {
        (k.commune_id, k.year, k.area): (k.needs, k.shown)
        for k in NeedCount.objects.all()
        if k.needs or k.shown
    }


def counted() -> dict[tuple, tuple]:
    """The counts computed from the needs, as the page counted them before the summary."""
    found: dict[tuple, list] = {}
    for need in Need.objects.select_related("child"):
        row = found.setdefault((need.child.commune_id, need.year, need.area), [0, 0])
        row[0] += 1
        row[1] += need.child.status == ChildStatus.ACTIVE and not need.child.data_restricted
    return {key: tuple(value) for key, value in found.items()}


def assert_in_step() -> None:
    assert kept() == counted()
    with connection.cursor() as cursor:
        assert need_counts_differences(cursor) == []


def make_child(commune, name: str) -> Child:
    today = timezone.localdate()
    return Child.objects.create(
        full_name=name,
        name_folded=name.lower(),
        birth_date=today.replace(year=today.year - 9),
        sex="female",
        commune=commune,
        data_consent=True,
    )


@pytest.fixture
def assessed(tree):
    year = timezone.localdate().year
    on = timezone.localdate().replace(month=1, day=15)
    by = {"a": officer(tree["a"], username="canbo.an"), "b": officer(tree["b"], username="canbo.binh")}
    children = {
        key: make_child(tree[commune], name)
        for key, commune, name in (
            ("lan", "a", "Nguyễn Thị Lan"),
            ("mai", "a", "Lê Thị Mai"),
            ("cuc", "b", "Phạm Thị Cúc"),
        )
    }
    warm, school = (3, ""), (2, "")
    needs_assess(
        child=children["lan"],
        by=by["a"],
        year=year,
        on=on,
        needs={NeedArea.WARM_CLOTHES: warm, NeedArea.EDUCATION: school},
    )
    needs_assess(child=children["mai"], by=by["a"], year=year, on=on, needs={NeedArea.WARM_CLOTHES: warm})
    needs_assess(child=children["cuc"], by=by["b"], year=year, on=on, needs={NeedArea.EDUCATION: school})
    needs_assess(
        child=children["cuc"],
        by=by["b"],
        year=year - 1,
        on=on.replace(year=year - 1),
        needs={NeedArea.PLAY: warm},
    )
    return {"children": children, "by": by, "year": year, "on": on}


def test_assessments_are_counted_by_commune_year_and_area(tree, assessed):
    year = assessed["year"]
    assert kept() == {
        (tree["a"].pk, year, NeedArea.WARM_CLOTHES): (2, 2),
        (tree["a"].pk, year, NeedArea.EDUCATION): (1, 1),
        (tree["b"].pk, year, NeedArea.EDUCATION): (1, 1),
        (tree["b"].pk, year - 1, NeedArea.PLAY): (1, 1),
    }
    assert_in_step()


def test_a_new_assessment_replaces_the_year_s_counts(tree, assessed):
    lan, year = assessed["children"]["lan"], assessed["year"]
    needs_assess(
        child=lan, by=assessed["by"]["a"], year=year, on=assessed["on"], needs={NeedArea.LEGAL_AID: (1, "")}
    )
    counts = kept()
    assert counts[(tree["a"].pk, year, NeedArea.WARM_CLOTHES)] == (1, 1)
    assert (tree["a"].pk, year, NeedArea.EDUCATION) not in counts
    assert counts[(tree["a"].pk, year, NeedArea.LEGAL_AID)] == (1, 1)
    assert_in_step()


def test_a_child_who_leaves_or_withdraws_consent_is_no_longer_shown_but_still_assessed(tree, assessed):
    year = assessed["year"]
    lan, mai = assessed["children"]["lan"], assessed["children"]["mai"]
    child_status_set(
        child=lan, by=assessed["by"]["a"], status=ChildStatus.MOVED, on=assessed["on"], reason="Chuyển đi"
    )
    consent_set(child=mai, by=assessed["by"]["a"], data_consent=False, story_consent=False)
    assert Child.objects.get(pk=mai.pk).data_restricted
    assert kept()[(tree["a"].pk, year, NeedArea.WARM_CLOTHES)] == (2, 0)
    assert_in_step()
    data = public_needs_by_commune(unit_path=tree["d1"].path)
    assert [c["name"] for c in data["communes"]] == ["Xã Bình"]
    child_status_set(child=lan, by=assessed["by"]["a"], status=ChildStatus.ACTIVE, on=assessed["on"])
    assert kept()[(tree["a"].pk, year, NeedArea.WARM_CLOTHES)] == (2, 1)
    assert_in_step()


def test_a_child_moving_commune_takes_its_needs_along(tree, assessed):
    year = assessed["year"]
    Child.objects.filter(pk=assessed["children"]["lan"].pk).update(commune=tree["c"])
    counts = kept()
    assert counts[(tree["a"].pk, year, NeedArea.WARM_CLOTHES)] == (1, 1)
    assert counts[(tree["c"].pk, year, NeedArea.WARM_CLOTHES)] == (1, 1)
    assert counts[(tree["c"].pk, year, NeedArea.EDUCATION)] == (1, 1)
    assert_in_step()


def test_needs_moved_to_another_child_or_deleted_leave_the_counts_equal_to_the_needs(tree, assessed):
    cuc, lan = assessed["children"]["cuc"], assessed["children"]["lan"]
    Need.objects.filter(child=cuc, year=assessed["year"] - 1).update(child=lan)
    assert kept()[(tree["a"].pk, assessed["year"] - 1, NeedArea.PLAY)] == (1, 1)
    assert_in_step()
    Need.objects.filter(child=lan).delete()
    Child.objects.filter(pk=lan.pk).delete()
    assert_in_step()
    assert (tree["a"].pk, assessed["year"], NeedArea.EDUCATION) not in kept()


def test_the_priority_recompute_s_updates_leave_the_counts_alone(tree, assessed):
    before = kept()
    Child.objects.update(priority=7, priority_visible=7)
    assert kept() == before


def test_the_rebuild_recomputes_counts_that_drifted(tree, assessed):
    NeedCount.objects.filter(commune=tree["a"]).update(shown=99)
    with connection.cursor() as cursor:
        assert need_counts_differences(cursor)
        need_counts_rebuild(cursor)
    assert_in_step()


def test_the_public_needs_page_reads_the_latest_year_of_the_fund_s_scope(tree, assessed):
    data = public_needs_by_commune(unit_path=tree["d1"].path)
    assert data["year"] == assessed["year"]
    assert {c["name"]: c["total"] for c in data["communes"]} == {"Xã An": 3, "Xã Bình": 1}
    assert public_needs_by_commune(unit_path=tree["d2"].path) == {"year": None, "communes": []}
