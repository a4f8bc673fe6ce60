"""The figures of a report, computed by SQL aggregates (GROUP BY, conditional counts), never row by row.

A report's figures are a JSON-able dict:

- ``children``, ``support``, ``incidents``: additive sections. They are computed per commune (one
  GROUP BY commune query per breakdown, so a province of 1,000,000 children costs the same dozen
  queries as one commune) and the unit's figures are their sum. A commune whose report of the same
  period was accepted contributes its frozen figures instead of live ones: the district report is
  then the consolidation of the communes' accepted reports, and the sum of the communes equals the
  district by construction.
- ``money``: the posted donations of the funds of the unit's subtree (a commune: its funds; a
  district: its own fund plus the communes' funds) received in the period, by source, medium,
  campaign and donor, and the one-day-salary drive of the year.
- ``communes``: for a unit above commune level, one compact line per commune (for the table of the
  district report).

Percentages are not stored: they are derived from counts when shown (`rates`), so sums stay sums.

The registry counts are the registry as it stands when the figures are computed (active children
born by the end of the period), with ages at the end of the period: the status history of bulk-loaded
records is not complete enough to rebuild the registry at a past date. Submission freezes them.

Scope is the caller's business (the services check the user may see the unit): figures are about
units, like `children.selectors.incidents.incident_counts`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from children.models import (
    Child,
    ChildStatus,
    ChildStatusChange,
    Circumstance,
    Need,
    Poverty,
    Sex,
    Support,
    SupportKind,
)
from children.reference.ages import AGE_BANDS
from children.reference.ethnic import KINH
from children.selectors.incidents import incident_counts_by_commune
from donations.models import (
    DisplayPreference,
    Donation,
    DonationKind,
    DonationStatus,
    DriveAgency,
    Fund,
    SourceCategory,
)
from fund_portal.models import AdministrativeUnit, UnitLevel

FIGURES_VERSION = 1
#: Targets of the plan to 2025 (DOMAIN.md point 10).
TARGET_SPECIAL_SUPPORTED = 99
TARGET_POOR_SUPPORTED = 100
TARGET_DIFFICULT_COVERAGE = 100
TARGET_PLAY_EQUIPMENT_COMMUNES = 14
#: Pre-school and primary age (3 to 10 years) for the health checks and nutrition of difficult communes.
DIFFICULT_AGES = (3, 10)
TOP_DONORS = 10
TOP_CAMPAIGNS = 10
TOP_AGENCIES = 40
#: Bands of the report: AGE_BANDS, then "16+" for children still active past 15 at the end of the period.
BAND_KEYS = [f"{low}-{high}" for low, high, _label in AGE_BANDS] + ["16+"]


# --- Dates -------------------------------------------------------------------------------------


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def born_aged(end: dt.date, low: int, high: int) -> tuple[dt.date, dt.date]:
    """Birth dates (first, last) of the children aged low..high whole years on `end`."""
    return years_before(end, high + 1) + dt.timedelta(days=1), years_before(end, low)


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Whole local days, both included, as a half-open interval of aware datetimes."""
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return since, until


# --- Empty sections ------------------------------------------------------------------------------


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


def add_into(total: dict, part: dict) -> dict:
    """Add the numbers of `part` into `total`, key by key, recursively (missing keys count as 0)."""
    for key, value in part.items():
        if isinstance(value, dict):
            add_into(total.setdefault(key, {}), value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value
    return total


# --- Per-commune sections -----------------------------------------------------------------------


def commune_sections(*, communes: list[AdministrativeUnit], start: dt.date, end: dt.date) -> dict[int, dict]:
    """{commune id: {"children", "support", "incidents"}} for the period, a dozen GROUP BY queries in all."""
    ids = [c.pk for c in communes]
    out = {
        c.pk: {"children": empty_children(), "support": empty_support(), "incidents": {}} for c in communes
    }
    if not ids:
        return out
    since, until = day_bounds(start, end)
    registry = Child.objects.filter(commune_id__in=ids, status=ChildStatus.ACTIVE, birth_date__lte=end)

    # Sex by age band, poverty, disability, schooling, registered in the period: one scan of the registry.
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

    circumstances = Circumstance.objects.filter(
        child__commune_id__in=ids, child__status=ChildStatus.ACTIVE, child__birth_date__lte=end
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

    for row in (
        ChildStatusChange.objects.filter(
            child__commune_id__in=ids, status_to=ChildStatus.AGED_OUT, on__range=(start, end)
        )
        .values("child__commune_id")
        .annotate(n=Count("child_id", distinct=True))
        .order_by()
    ):
        out[row["child__commune_id"]]["children"]["aged_out_in_period"] = row["n"]

    for row in (
        Need.objects.filter(child__commune_id__in=ids, child__status=ChildStatus.ACTIVE, year=end.year)
        .values("child__commune_id", "area")
        .annotate(n=Count("id"), high=Count("id", filter=Q(urgency=3)))
        .order_by()
    ):
        out[row["child__commune_id"]]["children"]["needs"][row["area"]] = {
            "total": row["n"],
            "high": row["high"],
        }

    # Support delivered in the period.
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

    difficult = [c.pk for c in communes if c.is_especially_difficult]
    if difficult:
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

    for row in (
        Support.objects.filter(commune_id__in=ids, kind=SupportKind.PLAY_EQUIPMENT, delivered_on__lte=end)
        .values("commune_id")
        .annotate(in_period=Count("id", filter=Q(delivered_on__gte=start)))
        .order_by()
    ):
        section = out[row["commune_id"]]["support"]["play_equipment"]
        section["communes_to_date"] = 1
        section["communes_in_period"] = 1 if row["in_period"] else 0

    incidents = incident_counts_by_commune(start=start, end=end, commune_ids=[c.pk for c in communes])
    for commune in communes:
        out[commune.pk]["incidents"] = incidents[commune.pk]
    return out


# --- Money -------------------------------------------------------------------------------------


def donor_label(name: str, preference: str) -> str:
    """Reports honour the donor's choice: anonymous donors are not named, initials stay initials."""
    if preference == DisplayPreference.ANONYMOUS or not name:
        return "Nhà hảo tâm (ẩn danh)"
    if preference == DisplayPreference.INITIALS:
        return ".".join(part[0].upper() for part in name.split() if part) + "."
    return name


def money_figures(*, unit: AdministrativeUnit, start: dt.date, end: dt.date, year: int) -> dict:
    """Posted donations of the funds in the unit's subtree received in the period; the year's salary drive."""
    funds = dict(Fund.objects.filter(unit__path__startswith=unit.path).values_list("pk", "unit_id"))
    money = {
        "count": 0,
        "cash": 0,
        "goods": 0,
        "own": {"count": 0, "cash": 0, "goods": 0},
        "by_source": {value: {"count": 0, "cash": 0, "goods": 0} for value in SourceCategory.values},
        "campaigns": [],
        "top_donors": [],
        "salary_drive": {"agencies": [], "agencies_count": 0, "headcount": 0, "expected": 0, "paid": 0},
    }
    if not funds:
        return money
    donations = Donation.objects.filter(
        fund_id__in=list(funds), status=DonationStatus.POSTED, received_on__range=(start, end)
    )
    for row in (
        donations.values("fund_id", "source")
        .annotate(
            n=Count("id"),
            cash=Sum("amount", filter=~Q(kind=DonationKind.GOODS)),
            goods=Sum("amount", filter=Q(kind=DonationKind.GOODS)),
        )
        .order_by()
    ):
        cash, goods = row["cash"] or 0, row["goods"] or 0
        targets = [money, money["by_source"].setdefault(row["source"], {"count": 0, "cash": 0, "goods": 0})]
        if funds[row["fund_id"]] == unit.pk:
            targets.append(money["own"])
        for target in targets:
            target["count"] += row["n"]
            target["cash"] += cash
            target["goods"] += goods

    campaign_rows = list(
        donations.filter(campaign__isnull=False)
        .values("campaign_id", "campaign__name")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("-amount", "campaign_id")
    )
    money["campaigns"] = [
        {"name": r["campaign__name"], "count": r["n"], "amount": r["amount"]}
        for r in campaign_rows[:TOP_CAMPAIGNS]
    ]
    rest = campaign_rows[TOP_CAMPAIGNS:]
    if rest:
        money["campaigns"].append(
            {
                "name": "Các chiến dịch khác",
                "count": sum(r["n"] for r in rest),
                "amount": sum(r["amount"] for r in rest),
            }
        )

    top = list(
        donations.filter(donor__isnull=False)
        .values("donor_id")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("-amount", "donor_id")[:TOP_DONORS]
    )
    from donations.models import Donor

    names = {
        d.pk: donor_label(d.name, d.display_preference)
        for d in Donor.objects.filter(pk__in=[r["donor_id"] for r in top])
    }
    money["top_donors"] = [
        {"name": names.get(r["donor_id"], ""), "count": r["n"], "amount": r["amount"]} for r in top
    ]

    agencies = list(
        DriveAgency.objects.filter(drive__fund_id__in=list(funds), drive__year=year)
        .values("pk", "agency__name", "headcount", "expected_amount")
        .annotate(
            paid=Sum(
                "payments__amount",
                filter=Q(payments__status=DonationStatus.POSTED, payments__received_on__lte=end),
            )
        )
        .order_by("-expected_amount", "pk")
    )
    drive = money["salary_drive"]
    drive["agencies_count"] = len(agencies)
    for row in agencies:
        drive["headcount"] += row["headcount"]
        drive["expected"] += row["expected_amount"]
        drive["paid"] += row["paid"] or 0
    drive["agencies"] = [
        {
            "name": r["agency__name"],
            "headcount": r["headcount"],
            "expected": r["expected_amount"],
            "paid": r["paid"] or 0,
        }
        for r in agencies[:TOP_AGENCIES]
    ]
    return money


# --- The whole report ----------------------------------------------------------------------------


def communes_under(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    if unit.level == UnitLevel.COMMUNE:
        return [unit]
    return list(
        AdministrativeUnit.objects.filter(path__startswith=unit.path, level=UnitLevel.COMMUNE).order_by(
            "path"
        )
    )


def compute_figures(
    *,
    unit: AdministrativeUnit,
    start: dt.date,
    end: dt.date,
    year: int,
    accepted: dict[int, dict] | None = None,
) -> dict:
    """The figures of `unit` for the period. `accepted`: {commune id: frozen figures of its accepted report
    of the same period}, used in place of that commune's live figures."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    accepted = accepted or {}
    communes = communes_under(unit)
    live = [c for c in communes if c.pk not in accepted]
    sections = commune_sections(communes=live, start=start, end=end)
    children, support, incidents = empty_children(), empty_support(), {}
    lines = []
    for commune in communes:
        part = accepted.get(commune.pk) or sections[commune.pk]
        add_into(children, part["children"])
        add_into(support, part["support"])
        add_into(incidents, part["incidents"])
        lines.append(
            {
                "code": commune.code,
                "name": commune.name,
                "source": "accepted" if commune.pk in accepted else "live",
                "children": part["children"]["total"],
                "special": part["children"]["special"]["total"],
                "poor": part["children"]["poverty"].get(Poverty.POOR, 0)
                + part["children"]["poverty"].get(Poverty.NEAR_POOR, 0),
                "supported": part["support"]["children_supported"],
                "support_value": part["support"]["value"],
                "incidents": part["incidents"].get("total", 0),
            }
        )
    figures = {
        "version": FIGURES_VERSION,
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
        "period": {"start": start.isoformat(), "end": end.isoformat(), "year": year},
        "computed_at": timezone.now().isoformat(),
        "children": children,
        "support": support,
        "incidents": incidents,
        "money": money_figures(unit=unit, start=start, end=end, year=year),
    }
    if unit.level != UnitLevel.COMMUNE:
        figures["communes"] = lines
    return figures


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def rates(figures: dict) -> dict:
    """The shares the plan sets targets for, derived from the counts (None: nothing to divide)."""
    children, support = figures["children"], figures["support"]
    poor = children["poverty"].get(Poverty.POOR, 0) + children["poverty"].get(Poverty.NEAR_POOR, 0)
    difficult = support["difficult"]
    drive = figures["money"]["salary_drive"]
    return {
        "special_supported": percent(support["special_supported"], children["special"]["total"]),
        "poor_supported": percent(support["poor_supported"], poor),
        "health_checked": percent(difficult["health_checked"], difficult["target_children"]),
        "nutrition": percent(difficult["nutrition"], difficult["target_children"]),
        "salary_drive": percent(drive["paid"], drive["expected"]),
        "poor_total": poor,
    }


def additive_sections(figures: dict) -> dict:
    """The parts of the figures that add up from communes to the district (what consolidation sums)."""
    return {key: figures[key] for key in ("children", "support", "incidents")}


def sum_sections(parts: list[dict]) -> dict:
    total: dict = defaultdict(dict)
    for part in parts:
        for key in ("children", "support", "incidents"):
            add_into(total[key], part[key])
    return dict(total)
