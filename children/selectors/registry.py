"""Reads of the children registry: the list, a child's groups and needs, the yearly review's progress;
what a user may see of a child (the sensitive permission) is decided here, on the server."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.db.models.functions import Concat
from django.utils import timezone

from fund_portal.lookups import holds_read
from fund_portal.scope import scope_commune_id, scope_commune_ids
from fund_portal.text import fold, is_digits

from ..models import Child, ChildStatus, Circumstance, Need
from ..reference.circumstances import SENSITIVE_CODES

SENSITIVE_PERMISSION = "children.view_sensitive"


def can_see_sensitive(user) -> bool:
    return user.has_perm(SENSITIVE_PERMISSION)


def small_count_shown(count: int, *, user=None) -> int | str:
    """A count of children in a sensitive group (or of incidents of a sensitive kind) as it may be
    shown: below `SENSITIVE_SMALL_COUNT` it reads "< 5" (zero too, so that "< 5" does not mean "some"),
    unless `user` holds the sensitive permission. `user` None: a document or a public page, for anyone."""
    if user is not None and can_see_sensitive(user):
        return count
    threshold = settings.SENSITIVE_SMALL_COUNT
    return count if count >= threshold else f"< {threshold}"


def _born_between(*, min_age: int | None, max_age: int | None, today: dt.date) -> Q:
    """Children aged min_age to max_age (inclusive) on `today`, as a condition on the date of birth (a
    child born on 29 February is a year older on 1 March of a common year)."""

    def years_before(years: int) -> dt.date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    condition = Q()
    if min_age is not None:
        condition &= Q(birth_date__lte=years_before(min_age))
    if max_age is not None:
        condition &= Q(birth_date__gt=years_before(max_age + 1))
    return condition


def children_list(
    *,
    user,
    query: str = "",
    status: str = ChildStatus.ACTIVE,
    commune_id: int | None = None,
    group: str = "",
    poverty: str = "",
    need: str = "",
    review: str = "",
    min_age: int | None = None,
    max_age: int | None = None,
    ages_on: dt.date | None = None,
    order: str = "name",
):
    """The children a user may see, searched by name without diacritics ("nguyen van an") and filtered
    by group, household poverty, a need of this year's assessment, the yearly review and age (in whole
    years today, or on `ages_on`).

    `order` "name" (the list), "priority" (the commune's priority list, highest first, in the order the
    user may see: `priority_visible` without `children.view_sensitive`) or "priority_true"
    (the fund's own order whoever asks, for decisions such as a gift list; never shown as an order to
    a user without the permission)."""
    today = timezone.localdate()
    children = Child.objects.visible_to(user).select_related("commune", "village")
    if status:
        children = children.filter(status=status)
    # A commune officer's children are their commune's: said by equality, the commune's indexes give the
    # list in its order (a page read 31 rows, not the commune's 1,000 sorted).
    commune_id = commune_id or scope_commune_id(user)
    if commune_id:
        children = children.filter(commune_id=commune_id)
    # A scope of a few communes (a district's staff): a list in name order is read commune by commune,
    # whatever its filters (`children_page`); None otherwise.
    searched = fold(query) if query.strip() else ""
    communes = None
    if not commune_id and order == "name":
        communes = scope_commune_ids(user, most=_by_commune_most(searched=searched, group=group, need=need))
    if searched and communes:
        # Read by commune, a search is a test of each commune's names in order, never the trigram
        # index: scanned again for each commune, "nguyen" read 125,000 entries 32 times (555 ms). A rare
        # name reads every name of the communes (97,000 of a province: 35 ms by `strpos`, where a LIKE
        # on a concatenation took 93 ms).
        children = children.filter(holds_read("name_folded", searched))
    elif searched:
        children = children.filter(name_folded__contains=searched)
    born = None
    if min_age is not None or max_age is not None:
        born = _born_between(min_age=min_age, max_age=max_age, today=ages_on or today)
    children = _filtered(
        children,
        user=user,
        group=group,
        poverty=poverty,
        need=need,
        review=review,
        born=born,
        year=today.year,
    )
    if order == "priority_true" or (order == "priority" and can_see_sensitive(user)):
        return children.annotate(sort_key=F("priority")).order_by("-priority", "id")
    if order == "priority":
        # Without the permission the true order would tell a restricted group by its weight.
        return children.annotate(sort_key=F("priority_visible")).order_by("-priority_visible", "id")
    if communes:
        return children.annotate(sort_key=F("name_folded")).order_by("sort_key", "id").by_communes(communes)
    # Household, review and age each keep a large share of the district: walking the name index and
    # stopping after a page is then cheaper than sorting every match. A name search, a group or a need
    # is selective: take the matches first, then sort the few.
    selective = bool(searched or group or need)
    # With a search, sort on an expression the name index cannot serve: otherwise PostgreSQL walks that
    # index in name order and filters row by row (1.2 s for a common name at a million children) instead
    # of taking the trigram matches and sorting the few of the district.
    sort_key = Concat("name_folded", Value("")) if selective else F("name_folded")
    return children.annotate(sort_key=sort_key).order_by("sort_key", "id")


def _filtered(children, *, user, group: str, poverty: str, need: str, review: str, born: Q | None, year: int):
    """The list's filters besides the search: a group (a sensitive one only with the permission),
    household poverty, a need of `year`'s assessment, the review of `year`, the dates of birth."""
    if group and (group not in SENSITIVE_CODES or can_see_sensitive(user)):
        children = children.filter(Exists(Circumstance.objects.filter(child=OuterRef("pk"), group=group)))
    if poverty:
        children = children.filter(poverty=poverty)
    if need:
        children = children.filter(Exists(Need.objects.filter(child=OuterRef("pk"), area=need, year=year)))
    if review == "pending":
        children = children.filter(Q(last_reviewed_year__isnull=True) | Q(last_reviewed_year__lt=year))
    elif review == "done":
        children = children.filter(last_reviewed_year=year)
    if born is not None:
        children = children.filter(born)
    return children


#: The most communes a list is read commune by commune (`children_page`): each costs a seek and up to a
#: page of its own index (99 communes of a province: 3 to 4 ms of the database). A district has 30 or
#: so, a province of the national set 99 on average; past this, the name index's walk as before.
PAGE_BY_COMMUNE_MOST = 300

#: A larger scope is read by commune only where neither the name index nor the trigram index serves
#: the list: a group, a need, a search of fewer letters than a trigram. The demo's Thanh Hóa keeps its
#: 549 communes of before July 2025; over its 1,000,000 children (test client, p50) "an" took 917 ms
#: by the name index and 63 ms by commune, a need 566 and 157 ms, where an unsearched page or a
#: search the trigram index serves is no faster by commune (2,200 rows a page).
PAGE_BY_COMMUNE_SELECTIVE_MOST = 1000
#: The fewest letters the trigram index serves.
TRIGRAM_LETTERS = 3


def _by_commune_most(*, searched: str, group: str, need: str) -> int:
    """The most communes a list with these filters (`searched`: the search folded) is read commune by
    commune."""
    if len(searched) < TRIGRAM_LETTERS and (searched or group or need):
        return PAGE_BY_COMMUNE_SELECTIVE_MOST
    return PAGE_BY_COMMUNE_MOST


#: The longest number a cursor may carry (a 64-bit integer has 19 digits).
MAX_CURSOR_DIGITS = 18


def children_page(*, children, after: str = "", size: int = 30, within=None) -> tuple[list[Child], str]:
    """One page after a cursor of `children_list`, and the next cursor: no OFFSET, no COUNT.

    The cursor is the id of the previous page's last child; its key (the folded name, ascending, or
    for the priority list the priority the user may see, descending) is read again from the children
    `within` (the user's scope; by default the list itself), so no child's name travels in the page's
    address (access logs, history). A child who left the list since (reviewed while the list shows
    those to review) still places the next page; an id outside `within` starts the first page.

    A list of a few communes (`ChildQuerySet.by_communes`: a district's, a province's) is read commune
    by commune on PostgreSQL: its page's ids first, then those children."""
    first = children.query.order_by[0] if children.query.order_by else ""
    key_field = {"-priority": "priority", "-priority_visible": "priority_visible"}.get(first, "name_folded")
    # A cursor is ours or ignored: a number too long for a database integer is not an id (typed into the
    # address, it would overflow the query).
    last_id = int(after) if is_digits(after) and len(after) <= MAX_CURSOR_DIGITS else None
    within = children if within is None else within
    key = within.filter(pk=last_id).values_list(key_field, flat=True).first() if last_id else None
    if children._communes and key_field == "name_folded" and connection.vendor == "postgresql":
        ids = _page_ids_by_commune(children, size + 1, after=None if key is None else (key, last_id))
        return _page(list(children.filter(pk__in=ids)) if ids else [], size)
    if key is not None and key_field != "name_folded":
        # Priority descending, id ascending: no one row value says "after"; the bound `sort_key <= key`
        # lets the index seek to the page, the OR then drops the ties before it.
        children = children.filter(Q(sort_key__lte=key), Q(sort_key__lt=key) | Q(id__gt=last_id))
    elif key is not None:
        # A row value, `(name, id) > (key, last id)`, that the name index serves as one seek (an OR of
        # the two conditions made PostgreSQL walk the index from the start and discard rows).
        children = children.filter(TupleGreaterThan(Tuple(F("sort_key"), F("id")), (key, last_id)))
    return _page(list(children[: size + 1]), size)


def _page(rows: list[Child], size: int) -> tuple[list[Child], str]:
    """A page of `size` of the `size` + 1 rows read, and the cursor of the next (none if no more)."""
    next_cursor = str(rows[size - 1].pk) if len(rows) > size else ""
    return rows[:size], next_cursor


def review_progress(*, user, commune_id: int | None = None) -> dict:
    """How many active children of the user's scope are reviewed this year, of how many."""
    year = timezone.localdate().year
    children = Child.objects.visible_to(user).filter(status=ChildStatus.ACTIVE)
    if commune_id:
        children = children.filter(commune_id=commune_id)
    counts = children.aggregate(total=Count("pk"), done=Count("pk", filter=Q(last_reviewed_year=year)))
    return {"year": year, **counts, "pending": counts["total"] - counts["done"]}


def child_needs(*, child: Child) -> tuple[int | None, list[Need]]:
    """The child's latest needs assessment: its year and its needs, most urgent first."""
    year = child.needs.order_by("-year").values_list("year", flat=True).first()
    return year, list(child.needs.filter(year=year).order_by("-urgency", "area")) if year else []


def child_circumstances(*, child: Child, user) -> list[dict]:
    """The child's groups; a sensitive one is shown only as 'a restricted group' without the permission."""
    from ..reference.circumstances import group, is_sensitive, subgroup

    allowed = can_see_sensitive(user)
    rows = []
    for item in child.circumstances.order_by("group", "subgroup"):
        if is_sensitive(item.group) and not allowed:
            rows.append({"restricted": True})
            continue
        rows.append(
            {
                "restricted": False,
                "pk": item.pk,
                "group": group(item.group),
                "subgroup": subgroup(item.subgroup) if item.subgroup else None,
                "identified_on": item.identified_on,
                "note": item.note,
            }
        )
    return rows


def group_choices(*, user) -> list[tuple[str, str]]:
    """The groups a user may filter by: the sensitive ones only with the permission."""
    from ..reference.circumstances import SENSITIVE_CODES, choices_groups

    allowed = can_see_sensitive(user)
    return [(code, label) for code, label in choices_groups() if allowed or code not in SENSITIVE_CODES]


def _page_ids_by_commune(children, count: int, *, after: tuple[str, int] | None) -> list[int]:
    """The ids of the first `count` children after `after` (a name and an id) of a list in name order
    that lies in `children._communes`, read commune by commune: each commune's first few by its own
    name index (`child_commune_name_idx`, a LATERAL subquery), in the list's order. A district's page
    reads its 30 communes' first entries, where the country's name index, walked in order, kept one
    entry in 450 (page 50: 51 ms, "poor": 185 ms).

    Each commune gives first a little more than its even share of a page. The page is right unless a
    commune that gave all it was asked has its last row inside the page (its next rows might belong
    there too); those communes then give a whole page each, the others the same rows again. A filter
    that keeps one child in twelve (a need) read 13,000 children's needs when each commune gave a
    whole page."""
    communes = children._communes
    inner = children.filter(commune_id=RawSQL("by_commune.id", ()))
    if after is not None:
        # The commune leads the row value: only the commune's index serves it, one seek per commune.
        # `(name, id) > (...)` alone let PostgreSQL pick the country's name index near the list's
        # end, walked again for each commune (99 times for a province: 50 ms).
        inner = inner.filter(
            TupleGreaterThan(
                Tuple(F("commune_id"), F("sort_key"), F("id")), (RawSQL("by_commune.id", ()), *after)
            )
        )
    sql, params = inner.order_by("sort_key", "id").values_list("id", "sort_key").query.sql_with_params()
    # A page's rows fall about evenly over communes of like size: a commune's count is then about
    # Poisson's, and its mean plus three deviations and three more is passed on one page in 300 by
    # any of 32 communes (7 rows of a district's 31-row page, 5 of a province's).
    even = count / len(communes)
    takes = dict.fromkeys(communes, min(count, math.ceil(even + 3 * math.sqrt(even) + 3)))
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT page.id, by_commune.id FROM unnest(%s::bigint[], %s::int[]) AS by_commune (id, take)"
                f" CROSS JOIN LATERAL ({sql} LIMIT by_commune.take) AS page (id, sort_key)"
                " ORDER BY page.sort_key, page.id",
                [list(takes), list(takes.values()), *params],
            )
            rows = cursor.fetchall()
        # Where each commune's last row stands in the list's order (the database's: no names compared
        # here), and which communes gave all they were asked for, short of a whole page.
        last = {commune: position for position, (_id, commune) in enumerate(rows)}
        given = Counter(commune for _id, commune in rows)
        cut = [c for c, n in given.items() if n == takes[c] < count and last[c] < count]
        if not cut:
            return [pk for pk, _commune in rows[:count]]
        takes.update(dict.fromkeys(cut, count))
