"""Pagination that stays fast on tables with millions of rows."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """Counts at most CAP + 1 rows (a LIMIT inside the COUNT), so a list opens in milliseconds.

    Past the cap the list shows CAP + 1 results and its last page; narrowing by filter or date
    reaches older rows. Deep pages stay at most CAP rows of OFFSET.
    """

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.CAP + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.CAP
