"""The large children data set for benchmarks: `seed_demo --children N` (COPY on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from donations.models import NeedArea
from fund_portal.bulk import analyze, bulk_load, next_ids
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.text import fold

from .imports.children import CHILD_COLUMNS, CIRCUMSTANCE_COLUMNS
from .models import Child, Circumstance, Need, PriorityWeight, Support
from .priority import priority_score, weights_ensure, weights_visible
from .reference.circumstances import SPECIAL_CIRCUMSTANCES
from .reference.ethnic import ETHNIC_SHARES

NEED_COLUMNS = ["child_id", "year", "area", "urgency", "note", "assessed_on"]
SUPPORT_COLUMNS = [
    "child_id",
    "commune_id",
    "kind",
    "quantity",
    "value",
    "delivered_on",
    "source",
    "handed_over_by",
    "note",
    "recorded_at",
]
SUPPORT_KINDS = [
    "cash",
    "gift",
    "health_check",
    "nutrition",
    "warm_clothes",
    "scholarship",
    "school_supplies",
]
SUPPORT_SOURCES = ["fund", "fund", "state_budget", "donor"]
CHUNK = 200_000


def seed_children(*, count: int, seed: int = 2016) -> int:
    """Add `count` active children over the communes of the tree, with groups, this year's needs (two
    in five children) and a support received this year (one in two), as the reports count them."""
    from donations.demo import GIVEN, MIDDLE, SURNAMES

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    communes = list(AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).values_list("pk", "path"))
    villages: dict[int, list[int]] = {}
    for pk, parent_id in AdministrativeUnit.objects.filter(level=UnitLevel.VILLAGE).values_list(
        "pk", "parent_id"
    ):
        villages.setdefault(parent_id, []).append(pk)
    codes, shares = zip(*ETHNIC_SHARES.items(), strict=True)
    groups = [g.code for g in SPECIAL_CIRCUMSTANCES]
    weights_ensure()
    weights = dict(PriorityWeight.objects.values_list("factor", "weight"))
    shown_weights = weights_visible(weights)
    with transaction.atomic():
        ids = next_ids(Child._meta.db_table, count)
        rows, circumstances, needs, supports = [], [], [], []
        areas = NeedArea.values
        # Every column of the importer's COPY, with what a new record holds; each row sets its own.
        blank = {column: "" for column in CHILD_COLUMNS} | {
            "personal_id": None,
            "out_of_school": False,
            "status": "active",
            "story_consent": False,
            "consent_recorded_by_id": None,
            "consent_recorded_at": None,
            "priority_override": None,
            "last_reviewed_year": None,
            "merged_into_id": None,
            "created_by_id": None,
            "created_at": now,
            "updated_at": now,
        }
        year_start = dt.date(today.year, 1, 1)
        days_this_year = (today - year_start).days
        for index, child_id in enumerate(ids, start=1):
            commune_id, _path = rng.choice(communes)
            sex = rng.choice(("male", "female"))
            middle = "Thị" if sex == "female" else rng.choice(MIDDLE)
            name = f"{rng.choice(SURNAMES)} {middle} {rng.choice(GIVEN)}"
            village = rng.choice(villages[commune_id]) if commune_id in villages else None
            poverty = rng.choices(("none", "poor", "near_poor"), (70, 18, 12))[0]
            child_groups, child_needs = [], []
            if rng.random() < 0.35:
                group = rng.choice(groups)
                circumstances.append(
                    (child_id, group, "", today - dt.timedelta(days=rng.randint(1, 900)), "")
                )
                child_groups.append(group)
            if rng.random() < 0.4:
                for area in rng.sample(areas, rng.choice((1, 1, 2))):
                    urgency = rng.randint(1, 3)
                    needs.append((child_id, today.year, area, urgency, "", year_start))
                    child_needs.append((area, urgency))
            factors = {"groups": child_groups, "poverty": poverty, "needs": child_needs}
            score = priority_score(weights=weights, **factors)
            if rng.random() < 0.5:
                supports.append(
                    (
                        child_id,
                        commune_id,
                        rng.choice(SUPPORT_KINDS),
                        1,
                        rng.randint(1, 10) * 100_000,
                        year_start + dt.timedelta(days=rng.randint(0, days_this_year)),
                        rng.choice(SUPPORT_SOURCES),
                        "",
                        "",
                        now,
                    )
                )
            record = {
                **blank,
                "id": child_id,
                "full_name": name,
                "name_folded": fold(name),
                "birth_date": today - dt.timedelta(days=rng.randint(30, 15 * 365)),
                "sex": sex,
                "ethnicity": rng.choices(codes, shares)[0],
                "commune_id": commune_id,
                "village_id": village,
                "poverty": poverty,
                "poverty_year": today.year - 1 if poverty != "none" else None,
                "data_consent": True,
                "priority_score": score,
                "priority": score,
                "priority_visible": priority_score(weights=shown_weights, **factors),
            }
            rows.append(tuple(record[column] for column in CHILD_COLUMNS))
            if index % CHUNK == 0 or index == count:  # in chunks, so a million children fit in memory
                bulk_load(Child._meta.db_table, CHILD_COLUMNS, rows)
                bulk_load(Circumstance._meta.db_table, CIRCUMSTANCE_COLUMNS, circumstances)
                bulk_load(Need._meta.db_table, NEED_COLUMNS, needs)
                bulk_load(Support._meta.db_table, SUPPORT_COLUMNS, supports)
                rows, circumstances, needs, supports = [], [], [], []
    analyze(Child, Circumstance, Need, Support)
    return count
