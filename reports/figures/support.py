"""The support section of the figures: the support delivered, counted per commune by GROUP BY."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, Sum

from children.models import (
    Child,
    ChildStatus,
    Circumstance,
    Poverty,
    Support,
    SupportKind,
)
from fund_portal.models import AdministrativeUnit
from reports.figures.dates import born_aged

#: Pre-school and primary age (3 to 10 years) for the health checks and nutrition of difficult communes.
DIFFICULT_AGES = (3, 10)


def empty_support() -> dict:
    return {
        "count": 0,
        "value": 0,
        "by_kind": {},
        "by_source": {},
        "children_supported": 0,
        "special_supported": 0,
        "poor_supported": 0,
        "difficult": {"communes": 0, "target_children": 0, "health_checked": 0, "nutrition": 0},
        "play_equipment": {"communes_in_period": 0, "communes_to_date": 0},
    }


def support_counts(out: dict[int, dict], *, ids: list[int], start: dt.date, end: dt.date) -> None:
    """Support delivered in the period, by kind and by source."""
    supports = Support.objects.filter(commune_id__in=ids, delivered_on__range=(start, end))
    for row in (
        supports.values("commune_id", "kind")
        .annotate(n=Count("id"), quantity=Sum("quantity"), value=Sum("value"))
        .order_by()
    ):
        section = out[row["commune_id"]]["support"]
        section["by_kind"][row["kind"]] = {
            "count": row["n"],
            "quantity": row["quantity"],
            "value": row["value"],
        }
        section["count"] += row["n"]
        section["value"] += row["value"]
    for row in supports.values("commune_id", "source").annotate(n=Count("id"), value=Sum("value")).order_by():
        out[row["commune_id"]]["support"]["by_source"][row["source"]] = {
            "count": row["n"],
            "value": row["value"],
        }


def children_supported_counts(out: dict[int, dict], *, ids: list[int], start: dt.date, end: dt.date) -> None:
    """Active children supported in the period: in all, in special circumstances, of poor households."""
    supports = Support.objects.filter(commune_id__in=ids, delivered_on__range=(start, end))
    # "Has a special circumstance" as a correlated EXISTS (an index probe per row): a plain IN (subquery)
    # inside a FILTER clause is not hashed by PostgreSQL and went quadratic at 500,000 supports.
    poor = [Poverty.POOR, Poverty.NEAR_POOR]
    for row in (
        supports.filter(child__isnull=False, child__status=ChildStatus.ACTIVE)
        .annotate(is_special=Exists(Circumstance.objects.filter(child_id=OuterRef("child_id"))))
        .values("commune_id")
        .annotate(
            children=Count("child_id", distinct=True),
            special=Count("child_id", distinct=True, filter=Q(is_special=True)),
            poor=Count("child_id", distinct=True, filter=Q(child__poverty__in=poor)),
        )
        .order_by()
    ):
        section = out[row["commune_id"]]["support"]
        section["children_supported"] = row["children"]
        section["special_supported"] = row["special"]
        section["poor_supported"] = row["poor"]


def difficult_commune_counts(
    out: dict[int, dict], *, communes: list[AdministrativeUnit], start: dt.date, end: dt.date
) -> None:
    """In especially difficult communes: the children of pre-school and primary age, and how many of them
    had a health check and nutrition support in the period."""
    difficult = [c.pk for c in communes if c.is_especially_difficult]
    if not difficult:
        return
    first, last = born_aged(end, *DIFFICULT_AGES)
    delivered = Support.objects.filter(commune_id__in=difficult, delivered_on__range=(start, end))
    for pk in difficult:
        out[pk]["support"]["difficult"]["communes"] = 1
    for row in (
        Child.objects.filter(
            commune_id__in=difficult, status=ChildStatus.ACTIVE, birth_date__range=(first, last)
        )
        .annotate(
            got_health=Exists(delivered.filter(kind=SupportKind.HEALTH_CHECK, child_id=OuterRef("pk"))),
            got_nutrition=Exists(delivered.filter(kind=SupportKind.NUTRITION, child_id=OuterRef("pk"))),
        )
        .values("commune_id")
        .annotate(
            target=Count("id"),
            health=Count("id", filter=Q(got_health=True)),
            nutrition=Count("id", filter=Q(got_nutrition=True)),
        )
        .order_by()
    ):
        section = out[row["commune_id"]]["support"]["difficult"]
        section["target_children"] = row["target"]
        section["health_checked"] = row["health"]
        section["nutrition"] = row["nutrition"]


def play_equipment_counts(out: dict[int, dict], *, ids: list[int], start: dt.date, end: dt.date) -> None:
    """Whether each commune got play equipment, to date and in the period."""
    for row in (
        Support.objects.filter(commune_id__in=ids, kind=SupportKind.PLAY_EQUIPMENT, delivered_on__lte=end)
        .values("commune_id")
        .annotate(in_period=Count("id", filter=Q(delivered_on__gte=start)))
        .order_by()
    ):
        section = out[row["commune_id"]]["support"]["play_equipment"]
        section["communes_to_date"] = 1
        section["communes_in_period"] = 1 if row["in_period"] else 0
