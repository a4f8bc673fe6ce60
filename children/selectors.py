"""Reads of the children registry; what a user may see of a child is decided here, on the server."""

from __future__ import annotations

from fund_portal.text import fold

from .models import Child, ChildStatus

SENSITIVE_PERMISSION = "children.view_sensitive"


def can_see_sensitive(user) -> bool:
    return user.has_perm(SENSITIVE_PERMISSION)


def children_list(*, user, query: str = "", status: str = ChildStatus.ACTIVE, commune_id: int | None = None):
    """The children a user may see, searched by name without diacritics ("nguyen van an")."""
    children = Child.objects.visible_to(user).select_related("commune", "village")
    if status:
        children = children.filter(status=status)
    if commune_id:
        children = children.filter(commune_id=commune_id)
    if query.strip():
        children = children.filter(name_folded__contains=fold(query))
    return children.order_by("name_folded", "id")


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
