"""Pagination that stays fast on tables with millions of rows."""

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """Counts at most CAP + 1 rows (a LIMIT inside the COUNT), so a list opens in milliseconds.

    Past the cap the list shows CAP + 1 results and its last page; narrowing by filter or date
    reaches older rows. Deep pages stay at most CAP rows of OFFSET.
    """

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return len(rows[: self.CAP + 1])
        # Any CAP + 1 rows count the same: without the ORDER BY (a sliced query's COUNT keeps it) the
        # database stops after CAP + 1 rows of any index instead of sorting the whole scope first.
        return rows.order_by()[: self.CAP + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.CAP


class KeysFirstPaginator(CappedCountPaginator):
    """A capped count, and a page read in two steps: the ids of its rows in the list's order (a query of
    the list's keys only, which an index holding them answers without reading the table), then those
    rows with what they show (joined, prefetched). Joined or read whole, the rows of a search were read
    for every match before the sort kept a page (10,000 for a donor's name, to show 100).

    The rows and their order are those of the one query: the list's ordering is a key (the admin ends
    it with the primary key), applied again to the page's rows."""

    def page(self, number):
        page = super().page(number)
        rows = page.object_list
        if not isinstance(rows, QuerySet):
            return page
        ids = list(rows.values_list("pk", flat=True))
        chosen = rows.model._default_manager.filter(pk__in=ids)
        chosen.query.select_related = rows.query.select_related
        chosen.query.deferred_loading = rows.query.deferred_loading  # the list's `only()`, if any
        chosen = chosen.prefetch_related(*rows._prefetch_related_lookups)
        page.object_list = chosen.order_by(*rows.query.order_by) if rows.query.order_by else chosen
        return page


class CappedKeysetPaginator(CappedCountPaginator):
    """A capped count, and a page past the first reached by its ordering's key in steps of STEP rows.

    `OFFSET 10000 LIMIT 100` makes PostgreSQL choose between walking an index in the list's order and
    sorting the whole scope; it sorts when it underestimates the scope (a scope by the units' path is
    estimated at a seventh of a province's children). Here the key of every STEP-th row is read from
    the index (`OFFSET STEP-1 LIMIT 1` after the previous key), then the page is the `per_page` rows
    after the last key: each query a short index walk whatever the estimate. The rows are those of
    the OFFSET, in the same order: the key is the list's whole ordering, whose last field is unique.

    An ordering that is not a key of plain columns in one direction (a related record, a column that
    may be NULL, an expression, ascending and descending mixed) keeps the OFFSET.
    """

    STEP = 2_500

    def page(self, number):
        page = super().page(number)
        rows = page.object_list
        if not isinstance(rows, QuerySet) or not rows.query.low_mark:
            return page
        key_fields = ordering_key(self.object_list)
        if key_fields is None:
            return page
        fields, descending = key_fields
        start, size = rows.query.low_mark, rows.query.high_mark - rows.query.low_mark
        key = self._key_before(fields, descending, start)
        after = self.object_list.filter(key_after(fields, key, descending=descending)) if key else None
        page.object_list = after[:size] if after is not None else self.object_list.none()
        return page

    def _key_before(self, fields: list[str], descending: bool, start: int) -> tuple | None:
        """The key of the row just before `start` (the last one of the page before), or None when the
        list holds fewer rows."""
        key, position = None, 0
        while position < start:
            step = min(self.STEP, start - position)
            rows = self.object_list
            if key is not None:
                rows = rows.filter(key_after(fields, key, descending=descending))
            found = list(rows.values_list(*fields)[step - 1 : step])
            if not found:
                return None
            key, position = found[0], position + step
        return key


def ordering_key(queryset: QuerySet) -> tuple[list[str], bool] | None:
    """The queryset's ordering as (field names, descending) when it is a key: plain non-NULL columns of
    the model, all in one direction, the last one unique. None otherwise."""
    query = queryset.query
    if query.extra_order_by or query.distinct_fields or query.combinator:
        return None
    ordering = list(query.order_by) or (list(queryset.model._meta.ordering) if query.default_ordering else [])
    if not ordering or not all(isinstance(item, str) for item in ordering):
        return None
    directions = {item.startswith("-") for item in ordering}
    if len(directions) != 1:
        return None
    fields = [item.lstrip("-") for item in ordering]
    opts = queryset.model._meta
    for name in fields:
        if name in query.annotations or "__" in name or "." in name or name == "?":
            return None
        try:
            field = opts.pk if name == "pk" else opts.get_field(name)
        except FieldDoesNotExist:
            return None
        if not getattr(field, "concrete", False) or field.is_relation or field.null:
            return None
    last = opts.pk if fields[-1] == "pk" else opts.get_field(fields[-1])
    if not (last.primary_key or last.unique):
        return None
    return fields, directions.pop()


def key_after(fields: list[str], key: tuple, *, descending: bool = False) -> Q:
    """The rows after `key` in the ordering by `fields`: the row comparison (a, b) > (x, y) written so
    that its first column bounds an index range (a >= x) and the rest is checked on that range."""
    greater, at_least = ("lt", "lte") if descending else ("gt", "gte")
    condition = Q()
    for index, name in enumerate(fields):
        equal = {fields[i]: key[i] for i in range(index)}
        condition |= Q(**equal, **{f"{name}__{greater}": key[index]})
    return Q(**{f"{fields[0]}__{at_least}": key[0]}) & condition
