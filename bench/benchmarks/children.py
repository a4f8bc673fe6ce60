"""Benchmarks of the children registry (issue 4): the district's list with search and group filter, the
duplicate check. Run after `seed_demo --children 1000000` for the issue's scale."""

import random

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.benchmarks import children_duplicates, children_import  # noqa: F401  register "children_duplicates", "children_import"
from bench.measure import Measure, benchmark, percentile, timed
from children.models import Child
from children.selectors.duplicates import child_duplicates
from children.selectors.registry import children_list, children_page
from fund_portal.demo import seed_demo
from fund_portal.models import AdministrativeUnit, User

TARGET_MS = 100


def _client(user) -> Client:
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost")
    client.force_login(user)
    return client


def _ok(response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request['PATH_INFO']} answered {response.status_code}")


@benchmark("children")
def bench_children() -> list[Measure]:
    seed_demo()
    total = Child.objects.count()
    note = f"{total:,} children".replace(",", ".")
    staff = User.objects.get(username="canbo.huyen")
    client = _client(staff)
    url = reverse("children:list")
    searches = [("nguyen van an", "G01"), ("tran thi", ""), ("le hung", "G04"), ("do quang phong", "G13")]

    def page(params):
        response = client.get(url, params)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    for query, group in searches:
        page({"q": query, "group": group})
    first = timed(lambda: [page({"q": q, "group": g}) for q, g in searches], repeat=10)
    per_request = [t / len(searches) for t in first]
    # Deep pages: the cursors of 20 pages into the district's whole list, then each page over HTTP.
    cursors, cursor = [], ""
    for _ in range(20):
        _rows, cursor = children_page(children=children_list(user=staff), after=cursor)
        if not cursor:
            break
        cursors.append(cursor)
    for cursor in cursors:
        per_request += timed(lambda cursor=cursor: page({"after": cursor}))
    with CaptureQueriesContext(connection) as queries:
        page({"q": "nguyen", "group": "G01"})
    rng = random.Random(1)
    sample = (
        list(Child.objects.order_by("?").values("full_name", "birth_date", "commune_id")[:100])
        if total
        else []
    )
    communes = AdministrativeUnit.objects.in_bulk({row["commune_id"] for row in sample})
    checks = [
        timed(
            lambda row=row: child_duplicates(
                full_name=row["full_name"],
                birth_date=row["birth_date"],
                personal_id=None,
                commune=communes[row["commune_id"]],
            )
        )[0]
        for row in rng.sample(sample, len(sample))
    ]
    return [
        Measure(
            "children: district list, search + group filter, p95",
            round(percentile(per_request, 95), 1),
            "ms",
            target=TARGET_MS,
            note=f"{note}; first pages of 4 searches and 20 pages deep",
        ),
        Measure(
            "children: queries per list page", len(queries), "queries", note="the same for any page size"
        ),
        Measure(
            "children: duplicate check on create, p95",
            round(percentile(checks, 95), 1) if checks else 0,
            "ms",
            target=TARGET_MS,
            note=note,
        ),
    ]


@benchmark("children_filters")
def bench_children_filters() -> list[Measure]:
    """The list's other filters (household, this year's need, review, age) and the commune's priority
    list, each first page and 20 pages deep, for the district user."""
    seed_demo()
    staff = User.objects.get(username="canbo.huyen")
    client = _client(staff)
    url = reverse("children:list")
    filters = [
        {"poverty": "poor"},
        {"review": "pending", "min_age": "6", "max_age": "10"},
        {"need": "warm_clothes"},
        {"review": "done", "poverty": "poor"},
        {"q": "nguyen", "poverty": "near_poor", "max_age": "5"},
    ]

    def get(path, params):
        response = client.get(path, params)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")

    for params in filters:
        get(url, params)
    filtered = [t / len(filters) for t in timed(lambda: [get(url, p) for p in filters], repeat=10)]
    commune = AdministrativeUnit.objects.get(code="15703")
    priority_url = reverse("children:priority")

    def priority_pages(user) -> tuple[list[float], int]:
        """Each page of the commune's priority list, as this user sees it, 3 times."""
        user_client = _client(user)
        cursors, cursor = [""], ""
        for _ in range(20):
            _rows, cursor = children_page(
                children=children_list(user=user, commune_id=commune.pk, order="priority"),
                after=cursor,
                size=50,
            )
            if not cursor:
                break
            cursors.append(cursor)
        ranked = []
        for cursor in cursors:
            params = {"commune": commune.pk, "after": cursor}
            ranked += timed(lambda params=params: _ok(user_client.get(priority_url, params)), repeat=3)
        return ranked, len(cursors)

    ranked, pages = priority_pages(staff)
    # The commune's officer has no permission for sensitive data: the visible order and the ranks.
    ranked_visible, _pages = priority_pages(User.objects.get(username="canbo.danly"))
    children_in_commune = Child.objects.filter(commune=commune).count()
    return [
        Measure(
            "children: list filtered by household, need, review, age, p95",
            round(percentile(filtered, 95), 1),
            "ms",
            target=TARGET_MS,
            note=f"{Child.objects.count():,} children".replace(",", "."),
        ),
        Measure(
            "children: commune priority list, p95",
            round(percentile(ranked, 95), 1),
            "ms",
            target=TARGET_MS,
            note=f"{children_in_commune:,} children in {commune.name}; {pages} pages".replace(",", "."),
        ),
        Measure(
            "children: commune priority list without the sensitive permission (ranks), p95",
            round(percentile(ranked_visible, 95), 1),
            "ms",
            target=TARGET_MS,
            note=f"the same commune as its officer sees it; {pages} pages",
        ),
    ]
