"""The paginators of the long lists: the capped count counts without sorting, and the keyset paginator
gives every page the rows the OFFSET gives, in the same order, without an OFFSET over the list."""

import re

import pytest
from django.core.paginator import EmptyPage, Paginator
from django.db import connection
from django.db.models import F, Value
from django.test.utils import CaptureQueriesContext

from children.models import Child
from fund_portal.paginators import CappedCountPaginator, CappedKeysetPaginator, key_after, ordering_key
from tests.factories import children_bulk

pytestmark = pytest.mark.django_db

#: Names given in turn: many children share a name, so a page boundary falls inside a run of equal names.
NAMES = ["Lê Văn An", "Đỗ Thị Bình", "Lê Văn An", "Nguyễn Chi", "Lê Văn An", "Ánh Dương", "Đỗ Thị Bình"]


class SmallSteps(CappedKeysetPaginator):
    STEP = 3


def _children(commune, count: int, *, offset: int = 0) -> None:
    children_bulk([commune], count, NAMES, offset=offset)


def _pages(paginator_class, queryset, per_page: int) -> list[list[int]]:
    paginator = paginator_class(queryset, per_page)
    return [[child.pk for child in paginator.page(n).object_list] for n in paginator.page_range]


@pytest.mark.parametrize(
    "ordering", [("name_folded", "id"), ("-name_folded", "-id"), ("birth_date", "name_folded", "pk")]
)
def test_every_page_holds_the_rows_of_the_offset_in_its_order(tree, ordering):
    _children(tree["a"], 23)
    _children(tree["c"], 9, offset=23)
    children = Child.objects.filter(commune=tree["a"]).order_by(*ordering)
    by_offset = _pages(Paginator, children, 4)
    assert len(by_offset) == 6 and sum(len(page) for page in by_offset) == 23
    assert _pages(SmallSteps, children, 4) == by_offset
    assert _pages(CappedKeysetPaginator, children, 4) == by_offset


def test_a_deep_page_is_reached_by_the_key_not_by_an_offset(tree):
    _children(tree["a"], 23)
    children = Child.objects.filter(commune=tree["a"]).order_by("name_folded", "id")
    paginator = SmallSteps(children, 4)
    with CaptureQueriesContext(connection) as queries:
        rows = list(paginator.page(5).object_list)
    assert [c.pk for c in rows] == [c.pk for c in children[16:20]]
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith("SELECT")]
    # The count, the keys of rows 3, 6, 9, 12, 15, 16 (steps of 3, then 1), and the page.
    assert len(selects) == 1 + 6 + 1
    offsets = [int(n) for sql in selects for n in re.findall(r"OFFSET (\d+)", sql, re.IGNORECASE)]
    assert offsets and max(offsets) < SmallSteps.STEP
    assert "OFFSET" not in selects[-1].upper()


def test_an_ordering_that_is_not_a_key_keeps_the_offset(tree):
    _children(tree["a"], 11)
    _children(tree["b"], 6, offset=11)
    for children in (
        Child.objects.order_by("commune", "name_folded", "id"),  # a related record's own ordering
        Child.objects.order_by("name_folded", "-id"),  # both directions
        Child.objects.order_by("name_folded"),  # no unique last field: ties have no order
    ):
        assert ordering_key(children) is None
        by_offset = _pages(Paginator, children, 4)
        with CaptureQueriesContext(connection) as queries:
            assert _pages(SmallSteps, children, 4)[-1] == by_offset[-1]
        assert any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


def test_ordering_key_reads_the_model_ordering_and_refuses_what_may_be_null_or_computed():
    assert ordering_key(Child.objects.all()) == (["name_folded", "id"], False)
    assert ordering_key(Child.objects.order_by("-birth_date", "-pk")) == (["birth_date", "pk"], True)
    assert ordering_key(Child.objects.order_by("poverty_year", "id")) is None  # may be NULL
    assert ordering_key(Child.objects.order_by("village", "id")) is None
    assert ordering_key(Child.objects.order_by(F("name_folded").asc(), "id")) is None
    assert ordering_key(Child.objects.annotate(k=Value(1)).order_by("k", "id")) is None
    assert ordering_key(Child.objects.order_by("commune__path", "id")) is None


def test_key_after_is_the_row_comparison(tree):
    _children(tree["a"], 14)
    children = Child.objects.order_by("name_folded", "id")
    every = list(children.values_list("name_folded", "id"))
    for key in every:
        after = list(children.filter(key_after(["name_folded", "id"], key)).values_list("name_folded", "id"))
        assert after == [row for row in every if row > key]
        before = list(
            children.order_by("-name_folded", "-id")
            .filter(key_after(["name_folded", "id"], key, descending=True))
            .values_list("name_folded", "id")
        )
        assert before == sorted((row for row in every if row < key), reverse=True)


def test_a_page_past_the_last_is_refused_as_before(tree):
    _children(tree["a"], 9)
    paginator = SmallSteps(Child.objects.order_by("name_folded", "id"), 4)
    assert [c.pk for c in paginator.page(3).object_list] == [c.pk for c in Child.objects.all()[8:]]
    with pytest.raises(EmptyPage):
        paginator.page(4)


def test_rows_gone_since_the_count_leave_the_page_empty_not_wrong(tree):
    _children(tree["a"], 9)
    paginator = SmallSteps(Child.objects.order_by("name_folded", "id"), 4)
    assert paginator.count == 9
    Child.objects.filter(pk__in=Child.objects.order_by("-name_folded", "-id").values("pk")[:6]).delete()
    assert list(paginator.page(3).object_list) == []
    assert list(paginator.page(2).object_list) == []
    assert len(paginator.page(1).object_list) == 3


def test_the_capped_count_counts_without_sorting(tree, monkeypatch):
    _children(tree["a"], 12)
    monkeypatch.setattr(CappedCountPaginator, "CAP", 10)
    children = Child.objects.order_by("name_folded", "id")
    with CaptureQueriesContext(connection) as queries:
        assert CappedCountPaginator(children, 5).count == 11
    assert len(queries.captured_queries) == 1
    assert "ORDER BY" not in queries.captured_queries[0]["sql"].upper()
    assert CappedCountPaginator(children.filter(commune=tree["b"]), 5).count == 0
    assert CappedCountPaginator(list(range(30)), 5).count == 11
