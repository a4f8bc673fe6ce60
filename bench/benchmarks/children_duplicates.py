"""Benchmarks of the duplicate check with close matches (issue 4): the check on registering a child over
the whole registry, and the district's list of likely duplicates. Run after `seed_demo --children 1000000`."""

from __future__ import annotations

import random

from bench.measure import Measure, benchmark, percentile, timed
from children.models import Child
from children.selectors.duplicates import child_duplicates, likely_duplicates
from fund_portal.demo import seed_demo
from fund_portal.models import AdministrativeUnit, User

TARGET_MS = 100
#: The district's list is an admin page opened now and then, not a check on every registration.
LIST_TARGET_MS = 1000
SAMPLE = 200


def _typo(name: str, rng: random.Random) -> str:
    """The name as an officer might mistype it: a letter of the given name dropped or doubled."""
    head, _sep, given = name.rpartition(" ")
    position = rng.randrange(len(given))
    given = given[:position] + given[position + 1 :] if rng.random() < 0.5 else given + given[-1]
    return f"{head} {given}".strip()


def measure_duplicates(*, district_user: str = "canbo.huyen") -> list[Measure]:
    """The measures alone (no seeding): safe to run against a read-only copy of the data."""
    total = Child.objects.count()
    note = f"{total:,} children".replace(",", ".")
    rng = random.Random(4)
    sample = list(
        Child.objects.filter(pk__in=Child.objects.order_by("?").values("pk")[:SAMPLE]).values(
            "full_name", "birth_date", "commune_id", "personal_id"
        )
    )
    communes = AdministrativeUnit.objects.in_bulk({row["commune_id"] for row in sample})
    # Half the lookups as typed (exact + close), half with a typo in the name: the path that reads most.
    lookups = [
        (row["full_name"] if i % 2 else _typo(row["full_name"], rng), row) for i, row in enumerate(sample)
    ]
    for name, row in lookups[:10]:  # warm the connection and the caches
        child_duplicates(
            full_name=name,
            birth_date=row["birth_date"],
            personal_id=None,
            commune=communes[row["commune_id"]],
        )
    checks = [
        timed(
            lambda name=name, row=row: child_duplicates(
                full_name=name,
                birth_date=row["birth_date"],
                personal_id=row["personal_id"],
                commune=communes[row["commune_id"]],
            )
        )[0]
        for name, row in lookups
    ]
    measures = [
        Measure(
            "children: duplicate check with close matches on create, p95",
            round(percentile(checks, 95), 1) if checks else 0,
            "ms",
            target=TARGET_MS,
            note=f"{note}; {len(checks)} lookups, half with a typo in the name",
        )
    ]
    staff = User.objects.filter(username=district_user).first()
    if staff is not None:
        district = Child.objects.visible_to(staff).active().count()
        pairs: list = []
        runs = timed(lambda: pairs.extend(likely_duplicates(user=staff, limit=100)), repeat=3)
        measures.append(
            Measure(
                "children: likely duplicates of one district, median of 3",
                round(sorted(runs)[1], 1),
                "ms",
                target=LIST_TARGET_MS,
                note=f"{district:,} active children in {staff.unit}; {len(pairs) // 3} pairs shown".replace(
                    ",", "."
                ),
            )
        )
    return measures


@benchmark("children_duplicates")
def bench_children_duplicates() -> list[Measure]:
    seed_demo()
    return measure_duplicates()
