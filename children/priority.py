"""The priority score of a child (thứ tự ưu tiên), by a documented formula with weights kept as data.

    score = Σ weight("group:Gnn")      for each Article-10 group the child is in (once per group)
          + weight("poverty:poor" | "poverty:near_poor")   by the household's status
          + weight("out_of_school")     if the child is out of school
          + Σ weight("need:<area>") × urgency (1 low, 2 medium, 3 high)
                                        for each need of the child's latest yearly assessment
          + weight("commune:especially_difficult")   if the child's commune is an especially difficult
                                        commune (xã đặc biệt khó khăn)
          + weight("commune:ethnic_mountainous")     if it lies in the ethnic-minority and mountainous
                                        area (vùng dân tộc thiểu số và miền núi)

    priority = the score set by hand (with its reason) if there is one, else the score.

    priority_visible = the score set by hand if there is one, else the score with each restricted
        (sensitive, or unknown) group counted as the heaviest sensitive weight: the order of the commune's
        priority list for a user without `children.view_sensitive`. In the true order a child between
        two children whose factors are all visible has a weight between theirs, and each sensitive
        group has its own (G07 drugs 25, G12 trafficked 40). How many restricted groups a child is in
        is shown anyway, so counting them tells nothing new. Stored and kept by the same statement as
        the score, so it never mixes an old weight with a new one, and indexed like `priority`.

The two commune factors are the source documents' own: Decision 588/QĐ-TTg and the provinces' plans
under it ask for the children of the especially difficult communes of ethnic-minority and mountainous
areas first. Within one commune they add the same to every child, so they leave the commune's own
list as it was and lift its children in a list over several communes (a campaign's gift list).

The weights are rows of `PriorityWeight` that fund staff edit in the admin (`services.weights`). The
rows without a fund are the deployment's default set; a fund's own row for a factor overrides the
default for the children that fund governs (the nearest fund at or above their commune,
`donations.selectors.funds.funds_governing`). A factor without a row counts 0. `DEFAULT_WEIGHTS` fills
in the default set's missing factors after each migration, never overwriting a weight staff changed.
Changing a weight recomputes the children it counts for in a Celery task.

The computation is one SQL statement per set of weights (the same on PostgreSQL and SQLite) for one
child, a list, or the whole registry, so the score on a child's page and in the commune's priority list
never differ.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Q

from donations.models import NeedArea
from donations.selectors.funds import funds_governing
from fund_portal.models import AdministrativeUnit

from .models import Child, Circumstance, Need, PriorityWeight

DIFFICULT = "commune:especially_difficult"
ETHNIC_MOUNTAINOUS = "commune:ethnic_mountainous"

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
    # The commune's flags: as much as the household's poverty (poor 20, near-poor 10). An especially
    # difficult commune is the narrower list inside the area, so a child there counts both (30): ahead
    # of a poor child elsewhere who is otherwise equal, never ahead of a child of a heavy Article-10
    # group (orphaned, abused, trafficked: 40) elsewhere. Seeded by migration 0016.
    DIFFICULT: 20,
    ETHNIC_MOUNTAINOUS: 10,
}


def factor_label(factor: str) -> str:
    """A factor of the formula as staff read it, in the user's language ("G01 Trẻ em mồ côi cả cha và
    mẹ", "Hộ nghèo", "Xã đặc biệt khó khăn"); the factor itself when it is none of ours."""
    from django.utils.text import capfirst
    from django.utils.translation import gettext as _

    from .models import Poverty
    from .reference.circumstances import group

    kind, _sep, code = factor.partition(":")
    if kind == "group" and code:
        try:
            return f"{code} {group(code).name}"
        except KeyError:
            return factor
    if kind == "poverty" and code in Poverty.values:
        return str(Poverty(code).label)
    if kind == "need" and code in NeedArea.values:
        return _("%(area)s (× urgency)") % {"area": NeedArea(code).label}
    fields = {
        "out_of_school": (Child, "out_of_school"),
        DIFFICULT: (AdministrativeUnit, "is_especially_difficult"),
        ETHNIC_MOUNTAINOUS: (AdministrativeUnit, "is_ethnic_mountainous"),
    }
    if factor in fields:
        model, name = fields[factor]
        return str(capfirst(model._meta.get_field(name).verbose_name))
    return factor


def weights_ensure() -> int:
    """Add the factors the default set has no row for yet, with their default weight; returns how many
    were added."""
    have = set(PriorityWeight.objects.filter(fund__isnull=True).values_list("factor", flat=True))
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
    especially_difficult: bool = False,
    ethnic_mountainous: bool = False,
) -> int:
    """The formula above in Python, for rows loaded in bulk before they exist (imports, the demo data
    set): `groups` are group codes (each counted once), `needs` (area, urgency) of the latest
    assessment, the flags those of the child's commune; `weights` those of the commune
    (`priority_contexts`), with `weights_visible(weights)` the visible priority. `priority_recompute`
    gives the same numbers once the rows are in (tests check it)."""
    score = sum(weights.get(f"group:{code}", 0) for code in set(groups))
    score += weights.get(f"poverty:{poverty}", 0)
    if out_of_school:
        score += weights.get("out_of_school", 0)
    if especially_difficult:
        score += weights.get(DIFFICULT, 0)
    if ethnic_mountainous:
        score += weights.get(ETHNIC_MOUNTAINOUS, 0)
    return score + sum(weights.get(f"need:{area}", 0) * urgency for area, urgency in needs)


def weights_of(*, fund_id: int | None) -> dict[str, int]:
    """The weights that count for the children a fund governs: its own rows over the default set (the
    default set alone for None)."""
    counts = Q(fund__isnull=True)
    if fund_id is not None:
        counts |= Q(fund_id=fund_id)
    rows = PriorityWeight.objects.filter(counts).order_by().values_list("factor", "weight", "fund_id")
    weights: dict[str, int] = {}
    for factor, weight, fund in rows:
        if fund is not None or factor not in weights:
            weights[factor] = weight
    return weights


def _weights_keys(commune_ids: Iterable[int]) -> dict[int, int | None]:
    """For each commune, the fund whose weights count there: its governing fund when that fund has
    weights of its own, else None (the default set)."""
    own = set(
        PriorityWeight.objects.filter(fund__isnull=False)
        .order_by()
        .values_list("fund_id", flat=True)
        .distinct()
    )
    governing = funds_governing(unit_ids=commune_ids)
    return {commune: fund if fund in own else None for commune, fund in governing.items()}


@dataclass(frozen=True)
class CommuneWeights:
    """What the formula needs of a child's commune: the weights that count there and its flags."""

    weights: dict[str, int] = field(default_factory=dict)
    especially_difficult: bool = False
    ethnic_mountainous: bool = False

    @property
    def flags(self) -> dict[str, bool]:
        return {
            "especially_difficult": self.especially_difficult,
            "ethnic_mountainous": self.ethnic_mountainous,
        }


def priority_contexts(*, commune_ids: Iterable[int]) -> dict[int, CommuneWeights]:
    """Each commune's weights and flags, for the formula in Python (`priority_score`)."""
    keys = _weights_keys(list(commune_ids))
    sets = {key: weights_of(fund_id=key) for key in set(keys.values())}
    flags = AdministrativeUnit.objects.filter(pk__in=list(keys)).values_list(
        "pk", "is_especially_difficult", "is_ethnic_mountainous"
    )
    return {pk: CommuneWeights(sets[keys[pk]], difficult, ethnic) for pk, difficult, ethnic in flags}


def _counts(alias: str, fund_id: int | None) -> str:
    """The rows of the weights table that count for a fund's children: its own, and the default set's
    for the factors it has none of (the default set alone for None). The id is an integer of our own
    database, written as a literal so that each fund's statement has a plan of its own."""
    if fund_id is None:
        return f"{alias}.fund_id IS NULL"
    weight = connection.ops.quote_name(PriorityWeight._meta.db_table)
    fund = int(fund_id)
    return (
        f"({alias}.fund_id = {fund} OR ({alias}.fund_id IS NULL AND NOT EXISTS (SELECT 1 FROM {weight} o"
        f" WHERE o.fund_id = {fund} AND o.factor = {alias}.factor)))"
    )


def _score_sql(*, fund_id: int | None = None, visible: bool = False) -> str:
    """The score of the row of the children table as SQL, with the weights that count for `fund_id`'s
    children; `visible`: every group but the visible ones counts the heaviest sensitive weight (the
    codes are literals of our own code list, not input)."""
    child = connection.ops.quote_name(Child._meta.db_table)
    circumstance = connection.ops.quote_name(Circumstance._meta.db_table)
    need = connection.ops.quote_name(Need._meta.db_table)
    weight = connection.ops.quote_name(PriorityWeight._meta.db_table)
    unit = connection.ops.quote_name(AdministrativeUnit._meta.db_table)
    group = connection.ops.quote_name("group")
    counts = _counts("w", fund_id)
    points, join = "w.weight", "JOIN"
    if visible:
        from .reference.circumstances import SENSITIVE_CODES

        shown = ", ".join(f"'{code}'" for code in _visible_codes())
        sensitive = ", ".join(f"'group:{code}'" for code in sorted(SENSITIVE_CODES))
        heaviest = (
            f"COALESCE((SELECT MAX(r.weight) FROM {weight} r"
            f" WHERE r.factor IN ({sensitive}) AND {_counts('r', fund_id)}), 0)"
        )
        points = f"CASE WHEN g.code IN ({shown}) THEN COALESCE(w.weight, 0) ELSE {heaviest} END"
        join = "LEFT JOIN"
    return f"""
        COALESCE((SELECT SUM({points}) FROM (SELECT DISTINCT c.{group} AS code FROM {circumstance} c
                  WHERE c.child_id = {child}.id) g
                  {join} {weight} w ON w.factor = 'group:' || g.code AND {counts}), 0)
      + COALESCE((SELECT w.weight FROM {weight} w WHERE w.factor = 'poverty:' || {child}.poverty
                  AND {counts}), 0)
      + CASE WHEN {child}.out_of_school
             THEN COALESCE((SELECT w.weight FROM {weight} w WHERE w.factor = 'out_of_school' AND {counts}), 0)
             ELSE 0 END
      + COALESCE((SELECT SUM(w.weight * n.urgency) FROM {need} n
                  JOIN {weight} w ON w.factor = 'need:' || n.area AND {counts}
                  WHERE n.child_id = {child}.id
                    AND n.year = (SELECT MAX(n2.year) FROM {need} n2 WHERE n2.child_id = {child}.id)), 0)
      + COALESCE((SELECT SUM(w.weight) FROM {unit} u
                  JOIN {weight} w ON {counts}
                   AND ((u.is_especially_difficult AND w.factor = '{DIFFICULT}')
                        OR (u.is_ethnic_mountainous AND w.factor = '{ETHNIC_MOUNTAINOUS}'))
                  WHERE u.id = {child}.commune_id), 0)
    """


def _in(column: str, values: list[int]) -> tuple[str, list[int]]:
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


class RecomputeBatch(NamedTuple):
    communes: list[int]
    children: int


def priority_batches(*, communes: Iterable[int] | None, size: int) -> list[RecomputeBatch]:
    """The communes (None: every commune with children) in batches of at most `size` children, in
    commune order; a commune with more is a batch alone. Communes without children are left out."""
    rows = Child.objects.order_by("commune_id").values_list("commune_id").annotate(count=Count("id"))
    if communes is not None:
        rows = rows.filter(commune_id__in=list(communes))
    batches: list[RecomputeBatch] = []
    current: list[int] = []
    held = 0
    for commune, count in rows:
        if current and held + count > size:
            batches.append(RecomputeBatch(current, held))
            current, held = [], 0
        current.append(commune)
        held += count
    if current:
        batches.append(RecomputeBatch(current, held))
    return batches


def _scores(
    *, child_ids: Iterable[int] | None = None, commune_ids: Iterable[int] | None = None
) -> list[tuple[str, list[int]]]:
    """The children's scores as SQL subqueries (`id`, `score`, `visible` of each child), one per set of
    weights that counts among them, with their parameters; none when the ids or communes are empty."""
    table = connection.ops.quote_name(Child._meta.db_table)
    ids = communes = None
    if child_ids is not None:
        ids = list(child_ids)
        if not ids:
            return []
    if commune_ids is not None:
        communes = list(commune_ids)
        if not communes:
            return []
    if communes is None:
        rows = Child.objects.filter(pk__in=ids) if ids is not None else Child.objects.all()
        communes = list(rows.order_by().values_list("commune_id", flat=True).distinct())
    by_key: dict[int | None, list[int]] = {}
    for commune, key in _weights_keys(communes).items():
        by_key.setdefault(key, []).append(commune)
    statements = []
    for key, group in by_key.items():
        conditions = []
        if ids is not None:
            conditions.append(_in("id", ids))
        if len(by_key) > 1 or commune_ids is not None:
            conditions.append(_in("commune_id", sorted(group)))
        where = " AND ".join(sql for sql, _values in conditions)
        where = f"WHERE {where}" if where else ""
        params = [value for _sql, values in conditions for value in values]
        statements.append(
            (
                f"SELECT {table}.id AS id, {_score_sql(fund_id=key)} AS score,"
                f" {_score_sql(fund_id=key, visible=True)} AS visible FROM {table} {where}",
                params,
            )
        )
    return statements


@transaction.atomic
def priority_recompute(
    *, child_ids: Iterable[int] | None = None, commune_ids: Iterable[int] | None = None
) -> int:
    """Recompute the score and the priority of the given children, or of the children of the given
    communes (all of them without either): one statement per set of weights that counts there."""
    table = connection.ops.quote_name(Child._meta.db_table)
    changed = 0
    with connection.cursor() as cursor:
        for scores, params in _scores(child_ids=child_ids, commune_ids=commune_ids):
            # One statement, each row written once: the scores computed in a subquery over the same
            # table (its name there is the subquery's own row, which `_score_sql` refers to).
            cursor.execute(
                f"UPDATE {table} SET priority_score = s.score,"
                f" priority_visible = COALESCE({table}.priority_override, s.visible),"
                f" priority = COALESCE({table}.priority_override, s.score)"
                f" FROM ({scores}) s WHERE {table}.id = s.id",
                params,
            )
            changed += cursor.rowcount
    return changed


def priority_batch_read(*, commune_ids: Iterable[int]) -> None:
    """A batch's scores computed and thrown away, outside any transaction, before the batch's recompute:
    what the recompute will read (the children, their groups, needs and communes' weights) is then in
    memory, and its transaction, which locks the children it writes, only computes and writes.

    At 2,000,000 children the first batches of a recompute read their rows from disk, and one batch of
    5,000 held its transaction 7.7 s where a warm one takes under 2. The scores are not kept to be
    written: a child edited in between would get a score of before the edit."""
    with connection.cursor() as cursor:
        for scores, params in _scores(commune_ids=commune_ids):
            # Summed, so that PostgreSQL computes every column (it drops a subquery's unused ones).
            cursor.execute(f"SELECT SUM(s.score), SUM(s.visible) FROM ({scores}) s", params)  # noqa: S608
            cursor.fetchone()


def priority_explain(
    child: Child, *, show_sensitive: bool, needs: list[Need] | None = None
) -> list[tuple[str, int]]:
    """The terms of a child's score, for the child's page ("why this priority"); a sensitive group
    is named only for a user allowed to see it. `needs`: the latest assessment's needs, when the
    caller has read them already (`selectors.child_needs`)."""
    from django.utils.text import capfirst
    from django.utils.translation import gettext as _

    from .reference.circumstances import group, is_sensitive

    commune = priority_contexts(commune_ids=[child.commune_id]).get(child.commune_id, CommuneWeights())
    weights = commune.weights
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
    for flag, factor in (
        ("is_especially_difficult", DIFFICULT),
        ("is_ethnic_mountainous", ETHNIC_MOUNTAINOUS),
    ):
        if getattr(commune, flag.removeprefix("is_")):
            label = capfirst(AdministrativeUnit._meta.get_field(flag).verbose_name)
            terms.append((str(label), weights.get(factor, 0)))
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
