"""The children lists' benchmark rows (issue 20): each search, filter and priority page is its own row
against 50 ms, never one average of several cases."""

import pytest

from bench.benchmarks.children import FILTERS, SEARCHES, bench_children, bench_children_filters

pytestmark = pytest.mark.django_db


def test_each_search_and_each_filter_is_its_own_row():
    searched = [row for row in bench_children() if row.measure.startswith("children: district list searched")]
    assert [row.measure for row in searched] == [
        f"children: district list searched (q {query}{f', group {group}' if group else ''}), p95"
        for query, group in SEARCHES
    ]
    rows = bench_children_filters()
    filtered = [row for row in rows if row.measure.startswith("children: district list filtered")]
    assert len(filtered) == len(FILTERS)
    assert filtered[0].measure == "children: district list filtered (poverty poor), p95"
    ranked = [row for row in rows if "priority list" in row.measure]
    # The demo's commune has one page of its priority list (50 children): measured once per user.
    assert [row.measure for row in ranked] == [
        "children: commune priority list, page 1 of 1, p95",
        "children: commune priority list without the sensitive permission (ranks), page 1 of 1, p95",
    ]
    assert all(
        row.target == 50 and row.value > 0 and "max" in row.note for row in searched + filtered + ranked
    )
