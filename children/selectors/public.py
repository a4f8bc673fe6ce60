"""What the public site may show of the registry: counts and consented, anonymised stories only.

A child whose guardian withdrew the data consent (`Child.data_restricted`) is left out of everything
here but `children_supported_in_year`, an anonymous count over the whole fund.

Never a name, an ID number, an address, a village, a photo, a guardian or a group of Article 10:
needs are counted by commune and area, and a story is shown only while the guardian consents to
both keeping the data and the public story, as the first-name initial, the age and the commune.
Children in a sensitive group (HIV/AIDS, violence, abuse, trafficking...) are left out of the stories
altogether: even anonymised, a story could point at them.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from donations.models import NeedArea
from donations.selectors.public_funds import in_fund_scope

from ..models import Child, ChildStatus, Circumstance, NeedCount, Support
from ..reference.circumstances import SENSITIVE_CODES
from ..services.registry import age_on
from .support import public_initial

#: Need areas whose small counts are suppressed on the public pages (see `public_needs_by_commune`).
SENSITIVE_NEED_AREAS = frozenset({"legal_aid", "counselling"})


def public_needs_year(*, unit_path: str | None = None) -> int | None:
    """The latest year with a needs assessment (this year's, once communes have assessed)."""
    return (
        in_fund_scope(
            NeedCount.objects.filter(year__lte=timezone.localdate().year, needs__gt=0), "commune", unit_path
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def public_needs_by_commune(*, unit_path: str | None = None) -> dict:
    """Active children with a need in the latest assessment, counted by commune and need area.

    {"year": 2026, "communes": [{"id", "name", "total", "areas": [{"area", "label", "count", ...}]}]},
    communes with the most needs first; only counts leave this function. A small count of a sensitive
    area has `count` None and `fewer_than` the threshold.

    Read from `NeedCount`, the counts the database keeps as needs and children change
    (`children.needs_sql`): a few rows per commune, where counting a province's needs took 0.8 s."""

    year = public_needs_year(unit_path=unit_path)
    if year is None:
        return {"year": None, "communes": []}
    rows = (
        # A child whose data consent was withdrawn is not counted (`shown`): a count of one in a
        # commune's area would still point at the child on a public page.
        in_fund_scope(NeedCount.objects.filter(year=year, shown__gt=0), "commune", unit_path)
        .values("commune_id", "area", count=F("shown"), commune_name=F("commune__name"))
        .order_by()
    )
    labels = dict(NeedArea.choices)
    communes: dict[int, dict] = {}
    threshold = settings.SENSITIVE_SMALL_COUNT
    for row in rows:
        commune = communes.setdefault(
            row["commune_id"],
            {"id": row["commune_id"], "name": row["commune_name"], "total": 0, "areas": []},
        )
        # Legal aid and counselling are what children of the sensitive groups (abuse, trafficking, in
        # conflict with the law) need: a count of 1 or 2 of them in a commune points at the child.
        small = row["area"] in SENSITIVE_NEED_AREAS and row["count"] < threshold
        commune["areas"].append(
            {
                "area": row["area"],
                "label": str(labels.get(row["area"], row["area"])),
                "count": None if small else row["count"],
                "fewer_than": threshold if small else None,
            }
        )
        commune["total"] += row["count"]
    for commune in communes.values():
        commune["areas"].sort(key=lambda a: (-(a["count"] or 0), a["label"]))
    return {"year": year, "communes": sorted(communes.values(), key=lambda c: (-c["total"], c["name"]))}


def public_stories(*, limit: int = 12, unit_path: str | None = None) -> list[dict]:
    """Consented stories, latest first: {"initial", "age", "commune", "story"} and nothing else."""
    today = timezone.localdate()
    sensitive = Circumstance.objects.filter(child=OuterRef("pk"), group__in=sorted(SENSITIVE_CODES))
    children = (
        in_fund_scope(Child.objects.all(), "commune", unit_path)
        .filter(status=ChildStatus.ACTIVE, story_consent=True, data_consent=True, data_restricted=False)
        .exclude(story="")
        .exclude(Exists(sensitive))
        .order_by("-updated_at", "-id")
        .values("full_name", "birth_date", "commune__name", "story")[:limit]
    )
    return [
        {
            "initial": public_initial(child["full_name"]),
            "age": age_on(child["birth_date"], today),
            "commune": child["commune__name"],
            "story": child["story"],
        }
        for child in children
    ]


def children_supported_in_year(*, year: int, unit_path: str | None = None) -> int:
    """How many children (of the communes under `unit_path`) received support in a year (each child once)."""
    return (
        in_fund_scope(
            Support.objects.filter(delivered_on__year=year, child__isnull=False), "commune", unit_path
        )
        .values("child")
        .distinct()
        .count()
    )
