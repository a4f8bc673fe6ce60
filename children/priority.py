"""The priority score of a child (thứ tự ưu tiên), by a documented formula with weights kept as data.

    score = Σ weight("group:Gnn")      for each Article-10 group the child is in (once per group)
          + weight("poverty:poor" | "poverty:near_poor")   by the household's status
          + weight("out_of_school")     if the child is out of school
          + Σ weight("need:<area>") × urgency (1 low, 2 medium, 3 high)
                                        for each need of the child's latest yearly assessment

    priority = the score set by hand (with its reason) if there is one, else the score.

    priority_visible = the score set by hand if there is one, else the score with each restricted
        (sensitive, or unknown) group counted as the heaviest sensitive weight: the order of the commune's
        priority list for a user without `children.view_sensitive`. In the true order a child between
        two children whose factors are all visible has a weight between theirs, and each sensitive
        group has its own (G07 drugs 25, G12 trafficked 40). How many restricted groups a child is in
        is shown anyway, so counting them tells nothing new. Stored and kept by the same statement as
        the score, so it never mixes an old weight with a new one, and indexed like `priority`.

The weights are rows of `PriorityWeight` that fund staff edit in the admin; a factor without a row
counts 0. `DEFAULT_WEIGHTS` fills in the missing factors after each migration, never overwriting a
weight staff changed. Saving a weight recomputes every child in a Celery task.

The computation is one SQL statement (the same on PostgreSQL and SQLite) for one child, a list, or
the whole registry, so the score on a child's page and in the commune's priority list never differ.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from donations.models import NeedArea

from .models import Child, Circumstance, Need, PriorityWeight

DEFAULT_WEIGHTS: dict[str, int] = {
    "group:G01": 40,  # orphaned of both parents
    "group:G02": 40,  # abandoned
    "group:G03": 35,  # no one to rely on
    "group:G04": 25,  # disabilities
    "group:G05": 35,  # HIV/AIDS
    "group:G06": 20,  # in conflict with the law
    "group:G07": 25,  # drug addiction
    "group:G08": 25,  # out of school to earn a living
    "group:G09": 35,  # harmed by violence
    "group:G10": 30,  # exploited
    "group:G11": 40,  # sexually abused
    "group:G12": 40,  # trafficked
    "group:G13": 30,  # serious illness in a poor household
    "group:G14": 30,  # migrant or refugee without a carer
    "poverty:poor": 20,
    "poverty:near_poor": 10,
    "out_of_school": 10,
    **{f"need:{area}": 5 for area in NeedArea.values},
}


def weights_ensure() -> int:
    """Add the factors that have no row yet, with their default weight; returns how many were added."""
    have = set(PriorityWeight.objects.values_list("factor", flat=True))
    missing = [PriorityWeight(factor=f, weight=w) for f, w in DEFAULT_WEIGHTS.items() if f not in have]
    PriorityWeight.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def _visible_codes() -> list[str]:
    """The groups every user may see; any other code (an unknown one too) counts as restricted."""
    from .reference.circumstances import SENSITIVE_CODES, SPECIAL_CIRCUMSTANCES

    return sorted(g.code for g in SPECIAL_CIRCUMSTANCES if g.code not in SENSITIVE_CODES)


def weights_visible(weights: dict[str, int]) -> dict[str, int]:
    """The weights behind `priority_visible`, for `priority_score`: every sensitive group weighs the
    heaviest of them, so no restricted child falls behind its true place. (The SQL also counts a code
    outside the code list so; the bulk loads that use this take codes from the list only.)"""
    from .reference.circumstances import SENSITIVE_CODES

    heaviest = max(weights.get(f"group:{code}", 0) for code in SENSITIVE_CODES)
    return weights | {f"group:{code}": heaviest for code in SENSITIVE_CODES}


def priority_score(
    *,
    weights: dict[str, int],
    groups: Iterable[str] = (),
    poverty: str = "none",
    out_of_school: bool = False,
    needs: Iterable[tuple[str, int]] = (),
) -> int:
    """The formula above in Python, for rows loaded in bulk before they exist (imports, the demo data
    set): `groups` are group codes (each counted once), `needs` (area, urgency) of the latest
    assessment; with `weights_visible(weights)`, the visible priority. `priority_recompute` gives the
    same numbers once the rows are in (tests check it)."""
    score = sum(weights.get(f"group:{code}", 0) for code in set(groups))
    score += weights.get(f"poverty:{poverty}", 0)
    if out_of_school:
        score += weights.get("out_of_school", 0)
    return score + sum(weights.get(f"need:{area}", 0) * urgency for area, urgency in needs)


def _score_sql(*, visible: bool = False) -> str:
    """The score of the row of the children table as SQL; `visible`: every group but the visible ones
    counts the heaviest sensitive weight (the codes are literals of our own code list, not input)."""
    child = connection.ops.quote_name(Child._meta.db_table)
    circumstance = connection.ops.quote_name(Circumstance._meta.db_table)
    need = connection.ops.quote_name(Need._meta.db_table)
    weight = connection.ops.quote_name(PriorityWeight._meta.db_table)
    group = connection.ops.quote_name("group")
    points, join = "w.weight", "JOIN"
    if visible:
        from .reference.circumstances import SENSITIVE_CODES

        shown = ", ".join(f"'{code}'" for code in _visible_codes())
        sensitive = ", ".join(f"'group:{code}'" for code in sorted(SENSITIVE_CODES))
        heaviest = f"COALESCE((SELECT MAX(r.weight) FROM {weight} r WHERE r.factor IN ({sensitive})), 0)"
        points = f"CASE WHEN g.code IN ({shown}) THEN COALESCE(w.weight, 0) ELSE {heaviest} END"
        join = "LEFT JOIN"
    return f"""
        COALESCE((SELECT SUM({points}) FROM (SELECT DISTINCT c.{group} AS code FROM {circumstance} c
                  WHERE c.child_id = {child}.id) g
                  {join} {weight} w ON w.factor = 'group:' || g.code), 0)
      + COALESCE((SELECT w.weight FROM {weight} w WHERE w.factor = 'poverty:' || {child}.poverty), 0)
      + CASE WHEN {child}.out_of_school
             THEN COALESCE((SELECT w.weight FROM {weight} w WHERE w.factor = 'out_of_school'), 0)
             ELSE 0 END
      + COALESCE((SELECT SUM(w.weight * n.urgency) FROM {need} n
                  JOIN {weight} w ON w.factor = 'need:' || n.area
                  WHERE n.child_id = {child}.id
                    AND n.year = (SELECT MAX(n2.year) FROM {need} n2 WHERE n2.child_id = {child}.id)), 0)
    """


@transaction.atomic
def priority_recompute(*, child_ids: Iterable[int] | None = None) -> int:
    """Recompute the score and the priority of the given children (all of them without `child_ids`)."""
    table = connection.ops.quote_name(Child._meta.db_table)
    where, params = "", []
    if child_ids is not None:
        ids = list(child_ids)
        if not ids:
            return 0
        where, params = f"WHERE id IN ({', '.join(['%s'] * len(ids))})", ids
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET priority_score = {_score_sql()},"
            f" priority_visible = COALESCE(priority_override, {_score_sql(visible=True)}) {where}",
            params,
        )
        changed = cursor.rowcount
        cursor.execute(
            f"UPDATE {table} SET priority = COALESCE(priority_override, priority_score) {where}", params
        )
    return changed


def priority_explain(
    child: Child, *, show_sensitive: bool, needs: list[Need] | None = None
) -> list[tuple[str, int]]:
    """The terms of a child's score, for the child's page ("why this priority"); a sensitive group
    is named only for a user allowed to see it. `needs`: the latest assessment's needs, when the
    caller has read them already (`selectors.child_needs`)."""
    from django.utils.translation import gettext as _

    from .reference.circumstances import group, is_sensitive

    weights = dict(PriorityWeight.objects.values_list("factor", "weight"))
    terms: list[tuple[str, int]] = []
    for code in sorted(set(child.circumstances.values_list("group", flat=True))):
        name = group(code).name if show_sensitive or not is_sensitive(code) else _("A restricted group")
        terms.append((name, weights.get(f"group:{code}", 0)))
    if child.poverty != "none":
        terms.append((child.get_poverty_display(), weights.get(f"poverty:{child.poverty}", 0)))
    if child.out_of_school:
        terms.append(
            (str(Child._meta.get_field("out_of_school").verbose_name), weights.get("out_of_school", 0))
        )
    if needs is None:
        from .selectors.registry import child_needs

        _year, needs = child_needs(child=child)
    for need in needs:
        terms.append(
            (
                f"{need.get_area_display()} × {need.urgency}",
                weights.get(f"need:{need.area}", 0) * need.urgency,
            )
        )
    return terms


def priority_shown(*, child: Child, user, needs: list[Need] | None = None) -> dict:
    """What a user may read of a child's priority (the child's page).

    With `children.view_sensitive`: the priority, the computed score and each term with its points.
    Without it, no number that moves with a group's weight: each group has its own weight, so a score,
    or a score less the terms the user can see, names the restricted group (25 = drugs). The user gets
    the child's rank in the commune's priority list instead, and the terms without their points (a
    restricted group as "a restricted group"). The rank is in the order the priority list shows such a
    user (`priority_visible`: every restricted group counts the same), as the true order would tell a
    restricted group by its weight."""
    from django.db.models import Q

    from .models import ChildStatus
    from .selectors.registry import can_see_sensitive

    allowed = can_see_sensitive(user)
    terms = priority_explain(child, show_sensitive=allowed, needs=needs)
    if allowed:
        return {"numbers": True, "priority": child.priority, "computed": child.priority_score, "terms": terms}
    rank = of = None
    if child.status == ChildStatus.ACTIVE:
        commune = Child.objects.filter(commune_id=child.commune_id, status=ChildStatus.ACTIVE)
        of = commune.count()
        mine = child.priority_visible
        rank = (
            1
            + commune.filter(Q(priority_visible__gt=mine) | Q(priority_visible=mine, id__lt=child.pk)).count()
        )
    return {"numbers": False, "rank": rank, "of": of, "terms": [(label, None) for label, _points in terms]}
