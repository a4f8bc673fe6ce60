"""Reads of the children registry; what a user may see of a child is decided here, on the server."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Concat

from fund_portal.text import fold

from .models import Child, ChildStatus, Circumstance

SENSITIVE_PERMISSION = "children.view_sensitive"


def can_see_sensitive(user) -> bool:
    return user.has_perm(SENSITIVE_PERMISSION)


def children_list(
    *, user, query: str = "", status: str = ChildStatus.ACTIVE, commune_id: int | None = None, group: str = ""
):
    """The children a user may see, searched by name without diacritics ("nguyen van an")."""
    children = Child.objects.visible_to(user).select_related("commune", "village")
    if status:
        children = children.filter(status=status)
    if commune_id:
        children = children.filter(commune_id=commune_id)
    if query.strip():
        children = children.filter(name_folded__contains=fold(query))
    if group:
        children = children.filter(Exists(Circumstance.objects.filter(child=OuterRef("pk"), group=group)))
    # With a search, sort on an expression the name index cannot serve: otherwise PostgreSQL walks that
    # index in name order and filters row by row (1.2 s for a common name at a million children) instead
    # of taking the trigram matches and sorting the few of the district.
    sort_key = Concat("name_folded", Value("")) if (query.strip() or group) else F("name_folded")
    return children.annotate(sort_key=sort_key).order_by("sort_key", "id")


def children_page(*, children, after: str = "", size: int = 30) -> tuple[list[Child], str]:
    """One page after a cursor ("name|id") of `children_list`, and the next cursor: no OFFSET, no COUNT."""
    name, _sep, last_id = after.rpartition("|")
    if last_id.isdigit():
        children = children.filter(Q(sort_key__gt=name) | Q(sort_key=name, id__gt=int(last_id)))
    rows = list(children[: size + 1])
    next_cursor = f"{rows[size - 1].sort_key}|{rows[size - 1].pk}" if len(rows) > size else ""
    return rows[:size], next_cursor


def child_circumstances(*, child: Child, user) -> list[dict]:
    """The child's groups; a sensitive one is shown only as 'a restricted group' without the permission."""
    from .reference import group, is_sensitive, subgroup

    allowed = can_see_sensitive(user)
    rows = []
    for item in child.circumstances.order_by("group", "subgroup"):
        if is_sensitive(item.group) and not allowed:
            rows.append({"restricted": True})
            continue
        rows.append(
            {
                "restricted": False,
                "group": group(item.group),
                "subgroup": subgroup(item.subgroup) if item.subgroup else None,
                "identified_on": item.identified_on,
                "note": item.note,
            }
        )
    return rows


def group_choices(*, user) -> list[tuple[str, str]]:
    """The groups a user may filter by: the sensitive ones only with the permission."""
    from .reference import SENSITIVE_CODES, choices_groups

    allowed = can_see_sensitive(user)
    return [(code, label) for code, label in choices_groups() if allowed or code not in SENSITIVE_CODES]
