"""The admin's children list pages through the keyset paginator (`CappedKeysetPaginator`): every page
holds the rows the OFFSET would give, in the list's order, within the user's scope, with a search, a
filter or a column sorted as well."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils.html import escape

from children.admin.registry import ChildAdmin
from children.models import Child
from fund_portal.paginators import CappedKeysetPaginator
from tests.factories import children_bulk, staff

pytestmark = pytest.mark.django_db

NAMES = ["Lê Văn An", "Đỗ Thị Bình", "Nguyễn Chi", "Lê Văn An", "Hoàng Dũng"]
PER = ChildAdmin.list_per_page


@pytest.fixture
def listing(client, tree, monkeypatch):
    monkeypatch.setattr(CappedKeysetPaginator, "STEP", 37)  # several steps to reach page 3
    communes = [tree["a"], tree["b"], tree["c"]]
    children_bulk(communes, 260, NAMES, status=lambda n: "active" if n % 4 else "moved")
    client.force_login(staff(tree["d1"]))
    return client


def _page(client, **params) -> tuple[list[int], object]:
    response = client.get(reverse("admin:children_child_changelist"), params)
    assert response.status_code == 200
    changelist = response.context_data["cl"]
    return [child.pk for child in changelist.result_list], changelist


def test_every_page_holds_the_scopes_rows_in_name_order(listing, tree):
    assert ChildAdmin.paginator is CappedKeysetPaginator
    expected = list(
        Child.objects.filter(commune__in=[tree["a"], tree["b"]])
        .order_by("name_folded", "id")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 174
    pages = [_page(listing, p=page)[0] for page in range(1, -(-len(expected) // PER) + 1)]
    assert len(pages) > 2 and pages == [expected[at : at + PER] for at in range(0, len(expected), PER)]


def test_a_search_a_filter_and_a_sorted_column_page_as_the_offset_would(listing, tree):
    scope = Child.objects.filter(commune__in=[tree["a"], tree["b"]])
    searched = scope.filter(name_folded__icontains="le van").order_by("name_folded", "id")
    ids, changelist = _page(listing, q="Lê Văn", p=1)
    assert (
        ids == list(searched.values_list("pk", flat=True)[:PER])
        and changelist.result_count == searched.count()
    )

    moved = scope.filter(status="moved").order_by("name_folded", "id")
    assert _page(listing, status__exact="moved")[0] == list(moved.values_list("pk", flat=True))

    # Sorted by the date of birth, descending (the column's second click): the admin adds "-pk".
    ids, changelist = _page(listing, o="-2", p=2)
    assert ids == list(changelist.queryset.values_list("pk", flat=True)[PER : 2 * PER])
    by_birth = scope.order_by("-birth_date", "-pk").values_list("pk", flat=True)
    assert ids == list(by_birth[PER : 2 * PER])


def test_the_rows_link_to_their_change_page_with_the_lists_filters(listing, tree):
    ids, _changelist = _page(listing, status__exact="active", p=2)
    body = listing.get(reverse("admin:children_child_changelist"), {"status__exact": "active", "p": 2})
    html = body.content.decode()
    filters = urlencode({"_changelist_filters": "status__exact=active&p=2"})
    for pk in ids[:3] + ids[-3:]:
        assert escape(f"{reverse('admin:children_child_change', args=[pk])}?{filters}") in html
    first_page = listing.get(reverse("admin:children_child_changelist")).content.decode()
    first_id = _page(listing)[0][0]
    assert f'href="{reverse("admin:children_child_change", args=[first_id])}"' in first_page
