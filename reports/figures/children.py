"""The children section of the figures: the registry counted per commune, by GROUP BY."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from children.models import (
    Child,
    ChildStatus,
    ChildStatusChange,
    Circumstance,
    Need,
    Poverty,
    Sex,
)
from children.reference.ages import AGE_BANDS
from children.reference.ethnic import KINH
from reports.figures.dates import born_aged, day_bounds

#: Bands of the report: AGE_BANDS, then "16+" for children still active past 15 at the end of the period.
BAND_KEYS = [f"{low}-{high}" for low, high, _label in AGE_BANDS] + ["16+"]


def empty_children() -> dict:
    return {
        "total": 0,
        "male": 0,
        "female": 0,
        "bands": {key: {"male": 0, "female": 0} for key in BAND_KEYS},
        "poverty": {value: 0 for value in Poverty.values},
        "ethnicity": {},
        "minority": 0,
        "disability": 0,
        "out_of_school": 0,
        "registered_in_period": 0,
        "aged_out_in_period": 0,
        "special": {"total": 0, "new_in_period": 0, "groups": {}},
        "needs": {},
    }


def registry_counts(out: dict[int, dict], *, ids: list[int], start: dt.date, end: dt.date) -> None:
    """Sex by age band, poverty, disability, schooling, registered in the period (one scan of the
    registry), and ethnicity: the children on the list at the period's end, not those registered after it."""
    since, until = day_bounds(start, end)
    registry = Child.objects.filter(
        commune_id__in=ids, status=ChildStatus.ACTIVE, birth_date__lte=end, created_at__lt=until
    )
    aggregates = {
        "total": Count("id"),
        "male": Count("id", filter=Q(sex=Sex.MALE)),
        "female": Count("id", filter=Q(sex=Sex.FEMALE)),
        "disability": Count("id", filter=~Q(disability_type="")),
        "out_of_school": Count("id", filter=Q(out_of_school=True)),
        "minority": Count("id", filter=~Q(ethnicity=KINH)),
        "registered": Count("id", filter=Q(created_at__gte=since, created_at__lt=until)),
    }
    for value in Poverty.values:
        aggregates[f"poverty_{value}"] = Count("id", filter=Q(poverty=value))
    bands = [(f"{low}-{high}", *born_aged(end, low, high)) for low, high, _label in AGE_BANDS]
    oldest_child = bands[-1][1]
    for key, first, last in bands:
        for sex in Sex.values:
            aggregates[f"band_{key}_{sex}"] = Count("id", filter=Q(birth_date__range=(first, last), sex=sex))
    for sex in Sex.values:
        aggregates[f"band_16+_{sex}"] = Count("id", filter=Q(birth_date__lt=oldest_child, sex=sex))
    for row in registry.values("commune_id").annotate(**aggregates).order_by():
        section = out[row["commune_id"]]["children"]
        for key in ("total", "male", "female", "disability", "out_of_school", "minority"):
            section[key] = row[key]
        section["registered_in_period"] = row["registered"]
        for value in Poverty.values:
            section["poverty"][value] = row[f"poverty_{value}"]
        for key in BAND_KEYS:
            for sex in Sex.values:
                section["bands"][key][sex] = row[f"band_{key}_{sex}"]

    for row in registry.values("commune_id", "ethnicity").annotate(n=Count("id")).order_by():
        out[row["commune_id"]]["children"]["ethnicity"][row["ethnicity"]] = row["n"]


def special_circumstance_counts(
    out: dict[int, dict], *, ids: list[int], start: dt.date, end: dt.date
) -> None:
    """Children in special circumstances: by group, in all (each child once), and identified in the period."""
    circumstances = Circumstance.objects.filter(
        child__commune_id__in=ids,
        child__status=ChildStatus.ACTIVE,
        child__birth_date__lte=end,
        child__created_at__lt=day_bounds(start, end)[1],
        identified_on__lte=end,
    )
    for row in (
        circumstances.values("child__commune_id", "group")
        .annotate(n=Count("child_id", distinct=True))
        .order_by()
    ):
        out[row["child__commune_id"]]["children"]["special"]["groups"][row["group"]] = row["n"]
    for row in (
        circumstances.values("child__commune_id")
        .annotate(
            n=Count("child_id", distinct=True),
            new=Count("child_id", distinct=True, filter=Q(identified_on__range=(start, end))),
        )
        .order_by()
    ):
        special = out[row["child__commune_id"]]["children"]["special"]
        special["total"], special["new_in_period"] = row["n"], row["new"]


def aged_out_counts(out: dict[int, dict], *, ids: list[int], start: dt.date, end: dt.date) -> None:
    """Children who left the list at 16 in the period."""
    for row in (
        ChildStatusChange.objects.filter(
            child__commune_id__in=ids, status_to=ChildStatus.AGED_OUT, on__range=(start, end)
        )
        .values("child__commune_id")
        .annotate(n=Count("child_id", distinct=True))
        .order_by()
    ):
        out[row["child__commune_id"]]["children"]["aged_out_in_period"] = row["n"]


def need_counts(out: dict[int, dict], *, ids: list[int], end: dt.date) -> None:
    """Needs of the year's assessment by area, and how many of them are urgent."""
    for row in (
        Need.objects.filter(
            child__commune_id__in=ids,
            child__status=ChildStatus.ACTIVE,
            child__created_at__lt=day_bounds(end, end)[1],
            year=end.year,
        )
        .values("child__commune_id", "area")
        .annotate(n=Count("id"), high=Count("id", filter=Q(urgency=3)))
        .order_by()
    ):
        out[row["child__commune_id"]]["children"]["needs"][row["area"]] = {
            "total": row["n"],
            "high": row["high"],
        }
