"""Finding children registered twice (tránh trùng lặp), and merging two records into one."""

from __future__ import annotations

import datetime as dt

from fund_portal.models import AdministrativeUnit
from fund_portal.text import fold

from .models import Child


def child_duplicates(
    *,
    full_name: str,
    birth_date: dt.date,
    personal_id: str | None,
    commune: AdministrativeUnit,
    exclude_pk: int | None = None,
) -> list[Child]:
    """Children already registered who are likely this one: the same personal ID, or the same name
    (diacritics and case folded) and date of birth in the same district."""
    found = []
    if personal_id:
        found += list(Child.objects.filter(personal_id=personal_id).exclude(pk=exclude_pk))
    district_path = commune.path.rsplit("/", 2)[0] + "/" if commune.parent_id else commune.path
    same = Child.objects.filter(
        name_folded=fold(full_name), birth_date=birth_date, commune__path__startswith=district_path
    ).exclude(pk=exclude_pk)
    found += [c for c in same if c not in found]
    return found
