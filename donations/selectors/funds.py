"""Reads of funds: a fund's default account, those a user may ask support from,
the fund that governs a unit, the units whose public pages a change to some funds touches."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Q, QuerySet

from fund_portal.models import AdministrativeUnit, UnitLevel

from ..models import BankAccount, Fund


def funds_unit_ids(*, fund_ids: Iterable[int]) -> list[int]:
    """The units of these funds (what `public_figures_changed` takes: a fund's pages cover its unit)."""
    return list(Fund.objects.filter(pk__in=list(fund_ids)).values_list("unit_id", flat=True).distinct())


def fund_default_account(*, fund: Fund) -> BankAccount | None:
    return BankAccount.objects.filter(fund=fund, is_default=True).first()


def funds_for_proposal(*, user) -> QuerySet[Fund]:
    """Funds a user may ask support from: those in scope and those of the units above theirs."""
    if user.unit_id is None:
        return Fund.objects.visible_to(user)
    above = [unit.pk for unit in user.unit.ancestors()]
    return Fund.objects.filter(
        Q(pk__in=Fund.objects.visible_to(user).values("pk")) | Q(unit__in=above), is_active=True
    ).order_by("name")


def funds_governing(*, unit_ids: Iterable[int]) -> dict[int, int | None]:
    """The fund that governs each unit (and the children registered in it): the nearest active fund
    whose unit is the unit itself or one above it (a commune's own fund, else its district's, else
    its province's); None where no fund is above. Two active funds of one unit: the older one.

    The one place this rule is written: the priority weights of a child are its governing fund's."""
    return funds_governing_paths(
        dict(AdministrativeUnit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "path"))
    )


def funds_governing_paths(paths: dict[int, str]) -> dict[int, int | None]:
    """`funds_governing` of units whose paths are known ({unit id: path})."""
    by_path: dict[str, int] = {}
    for fund_id, path in Fund.objects.filter(is_active=True).order_by("-pk").values_list("pk", "unit__path"):
        by_path[path] = fund_id  # ordered newest first: the oldest fund of a unit is kept
    governing: dict[int, int | None] = {}
    for unit_id, path in paths.items():
        codes = path.strip("/").split("/")
        governing[unit_id] = next(
            (
                by_path[prefix]
                for n in range(len(codes), 0, -1)
                if (prefix := "/".join(codes[:n]) + "/") in by_path
            ),
            None,
        )
    return governing


def fund_governed_communes(*, fund: Fund) -> list[int]:
    """The communes under a fund's unit that it governs (`funds_governing`): those without a nearer
    fund of their own."""
    communes = AdministrativeUnit.objects.filter(
        path__startswith=fund.unit.path, level=UnitLevel.COMMUNE
    ).values_list("pk", flat=True)
    return sorted(
        unit for unit, governing in funds_governing(unit_ids=communes).items() if governing == fund.pk
    )


#: How long the staff pages keep the name of a unit's fund (a renamed fund shows there within this).
STAFF_FUND_NAME_SECONDS = 300


def unit_fund_name(*, unit: AdministrativeUnit) -> str | None:
    """The name of the fund that governs a unit (`funds_governing`), which the staff pages of its people
    show in their header; None where no fund governs it. Kept in the cache for five minutes: every
    admin and portal page asks. The unit as the page has it (the account's), not read again."""
    key = f"unit-fund-name:{unit.pk}"
    name = cache.get(key)
    if name is None:
        fund_id = funds_governing_paths({unit.pk: unit.path}).get(unit.pk)
        name = Fund.objects.filter(pk=fund_id).values_list("name", flat=True).first() if fund_id else ""
        cache.set(key, name, STAFF_FUND_NAME_SECONDS)
    return name or None


def user_fund(*, user) -> Fund | None:
    """A staff member's own fund: the one that governs their unit (`funds_governing`); None without one."""
    if user.unit_id is None:
        return None
    fund_id = funds_governing(unit_ids=[user.unit_id]).get(user.unit_id)
    return Fund.objects.filter(pk=fund_id).first() if fund_id else None
