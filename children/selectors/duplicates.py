"""Reads of likely duplicates: the check on registration (`child_duplicates`), the district's list
(`likely_duplicates`) and the alerts across units. The rules are in `children.duplicates`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.text import fold, normalize_text

from ..duplicates import (
    _STRENGTH,
    CLOSE_DATE,
    REASONS,
    SAME_NAME_AND_DATE,
    SAME_NAME_DATE_OTHER_ID,
    SAME_PERSONAL_ID,
    _different_people,
    _reason,
    date_variants,
    pairs_find,
)
from ..models import Child, ChildStatus, DuplicateAlert, DuplicateDismissal

#: The area a likely duplicate is looked for in: the commune's parent (the district of a three-level
#: tree; the province itself under the two-level tree of 2025, whose communes are the province's
#: children), or the commune's whole province (a child moving in from another commune).
DISTRICT, PROVINCE = "district", "province"


def _district_communes(commune: AdministrativeUnit):
    """The communes of the commune's district (a subquery)."""
    if commune.parent_id is None:
        return AdministrativeUnit.objects.filter(pk=commune.pk).values("pk")
    return AdministrativeUnit.objects.filter(parent_id=commune.parent_id).values("pk")


def _province_communes(commune: AdministrativeUnit):
    """The communes of the commune's province, through every level between (a subquery)."""
    province_path = commune.path.split("/", 1)[0] + "/"
    return AdministrativeUnit.objects.filter(path__startswith=province_path, level=UnitLevel.COMMUNE).values(
        "pk"
    )


def child_duplicates(
    *,
    full_name: str,
    birth_date: dt.date,
    personal_id: str | None,
    commune: AdministrativeUnit,
    exclude_pk: int | None = None,
    area: str = DISTRICT,
) -> list[Child]:
    """Children already registered who are likely this one (the rules of the module docstring), strongest
    first, each with `duplicate_reason`: why, in words. Names and dates are compared within `area` of
    `commune` (`DISTRICT` or `PROVINCE`); a personal ID anywhere."""
    folded = fold(full_name)
    candidates = Child.objects.exclude(status=ChildStatus.MERGED).select_related("commune")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    found: dict[int, tuple[str, Child]] = {}

    def add(child: Child, reason: str) -> None:
        if child.pk not in found:
            found[child.pk] = (reason, child)

    if personal_id:
        for child in candidates.filter(personal_id=personal_id):
            add(child, SAME_PERSONAL_ID)
    if birth_date is not None and commune is not None:
        district = _province_communes(commune) if area == PROVINCE else _district_communes(commune)
        for child in candidates.filter(birth_date=birth_date, commune__in=district):
            reason = _reason(child.name_folded, child.birth_date, folded, birth_date)
            if reason and _different_people(child.personal_id, personal_id):
                reason = SAME_NAME_DATE_OTHER_ID if reason == SAME_NAME_AND_DATE else None
            if reason:
                add(child, reason)
        typos = sorted(date_variants(birth_date))
        for child in candidates.filter(name_folded=folded, birth_date__in=typos, commune__in=district):
            if not _different_people(child.personal_id, personal_id):
                add(child, CLOSE_DATE)
    ranked = sorted(found.values(), key=lambda item: (_STRENGTH[item[0]], item[1].name_folded, item[1].pk))
    for reason, child in ranked:
        child.duplicate_code, child.duplicate_reason = reason, str(REASONS[reason])
    return [child for _reason_code, child in ranked]


@dataclass
class DuplicatePair:
    """Two active records of one district that look like one child, the older one on the left."""

    left: Child
    right: Child
    code: str

    @property
    def reason(self) -> str:
        return str(REASONS[self.code])

    @property
    def sides(self) -> tuple[Child, Child]:
        return self.left, self.right


def likely_duplicates(*, user, limit: int = 100) -> list[DuplicatePair]:
    """The likely duplicates among the active children the user sees, pairs staff dismissed left out,
    strongest reason first; each child carries `supports_count`."""
    rows = list(
        Child.objects.visible_to(user)
        .active()
        .order_by()
        .values_list("pk", "name_folded", "birth_date", "personal_id", "commune__parent_id")
    )
    found = pairs_find(rows)
    if not found:
        return []
    dismissed = set(DuplicateDismissal.objects.visible_to(user).values_list("child_a_id", "child_b_id"))
    names = {row[0]: row[1] for row in rows}
    ranked = sorted(
        (item for item in found.items() if item[0] not in dismissed),
        key=lambda item: (_STRENGTH[item[1]], names[item[0][0]], item[0]),
    )[:limit]
    ids = {pk for pair, _code in ranked for pk in pair}
    children = (
        Child.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("commune", "village")
        .annotate(supports_count=Count("supports"))
        .in_bulk()
    )
    return [
        DuplicatePair(left=children[a], right=children[b], code=code)
        for (a, b), code in ranked
        if a in children and b in children
    ]


def lowest_common_unit(a: AdministrativeUnit, b: AdministrativeUnit) -> AdministrativeUnit | None:
    """The lowest unit whose subtree holds both units (None across provinces: the fund's, above all)."""
    codes_a, codes_b = a.path.strip("/").split("/"), b.path.strip("/").split("/")
    common = None
    for code_a, code_b in zip(codes_a, codes_b, strict=False):
        if code_a != code_b:
            break
        common = code_a
    return AdministrativeUnit.objects.filter(code=common).first() if common else None


def duplicate_alerts_open(*, user, limit: int = 100) -> list:
    """Registrations that matched a record outside the registering user's scope, not checked yet, for
    the staff who see both (newest first)."""
    return list(
        DuplicateAlert.objects.visible_to(user)
        .filter(checked_at__isnull=True)
        .select_related("existing__commune", "registered", "commune", "by", "unit")
        .order_by("-at", "-id")[:limit]
    )


def personal_id_holder_elsewhere(
    *, personal_id: str | None, user, exclude_pk: int | None = None
) -> Child | None:
    """The record (merged ones too) holding this personal ID outside the user's scope, if any."""
    if not personal_id:
        return None
    holders = Child.objects.filter(personal_id=personal_id).exclude(
        pk__in=Child.objects.visible_to(user).filter(personal_id=personal_id).values("pk")
    )
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    return holders.first()


def personal_id_holder_visible(
    *, personal_id: str | None, user, exclude_pk: int | None = None
) -> Child | None:
    """The record the user sees that holds this personal ID, if any (merged ones too)."""
    if not personal_id:
        return None
    holders = Child.objects.visible_to(user).filter(personal_id=personal_id)
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    return holders.select_related("commune").first()


def child_duplicates_visible(
    *, user, full_name: str, birth_date: dt.date | None, personal_id: str | None, commune
) -> list[Child]:
    """The likely duplicates of a child being registered that the user may open (others are told to
    staff by `child_register_check`, never shown)."""
    if commune is None or birth_date is None:
        return []
    found = child_duplicates(
        full_name=normalize_text(full_name),
        birth_date=birth_date,
        personal_id=normalize_text(personal_id or "") or None,
        commune=commune,
    )
    visible = set(
        Child.objects.visible_to(user).filter(pk__in=[c.pk for c in found]).values_list("pk", flat=True)
    )
    return [c for c in found if c.pk in visible]
