"""Reads of the portal's core."""

from django.db.models import Count

from .models import AdministrativeUnit, UnitLevel


def units_under(*, user, unit: AdministrativeUnit):
    """The direct sub-units of a unit that the user may see, with how many units each holds."""
    return (
        AdministrativeUnit.objects.visible_to(user)
        .filter(parent=unit)
        .annotate(subunit_count=Count("children"))
        .order_by("name")
    )


def public_unit_counts() -> dict[str, int]:
    """How many communes and villages the public fund covers: an aggregate, safe to publish."""
    from donations.selectors.funds import public_fund

    fund = public_fund()
    units = AdministrativeUnit.objects.all()
    if fund is not None:
        units = units.filter(path__startswith=fund.unit.path)
    rows = units.values("level").annotate(n=Count("pk"))
    counts = {row["level"]: row["n"] for row in rows}
    return {level: counts.get(level, 0) for level in (UnitLevel.COMMUNE, UnitLevel.VILLAGE)}
