"""Numbers read from a page's query string (`?year=2025&month=3`), with bounds.

A query string is typed by anyone: `?year=-1` or `?year=999999999999999999999` reached the
ledger's date arithmetic and the database as they were, and answered with a server error. Views
read numbers through these functions instead of `int(request.GET[...])`.
"""

from django.http import Http404
from django.utils.translation import gettext as _

#: The years the portal has pages for: the fund's records start after 2000.
YEAR_MIN, YEAR_MAX = 2000, 2100


def query_int(
    request, name: str, *, minimum: int, maximum: int, default: int | None = None, error: str = ""
) -> int | None:
    """The integer `name` of the query string: `default` when absent or not a whole number, and a
    "not found" page (saying `error`) when it lies outside [minimum, maximum]."""
    try:
        number = int(request.GET.get(name, ""))
    except ValueError:  # absent, blank, not a number, or more than 4,300 digits
        return default
    if not minimum <= number <= maximum:
        raise Http404(error or _("No such page."))
    return number


def query_year(request, name: str = "year", *, default: int | None = None) -> int | None:
    """A year of the query string, from YEAR_MIN to YEAR_MAX ("not found" outside them)."""
    return query_int(
        request, name, minimum=YEAR_MIN, maximum=YEAR_MAX, default=default, error=_("No such year.")
    )


def query_month(request, name: str = "month", *, default: int | None = None) -> int | None:
    """A month of the query string, 1 to 12 ("not found" outside them)."""
    return query_int(request, name, minimum=1, maximum=12, default=default, error=_("No such month."))


def query_page(request, name: str = "page") -> int:
    """A page number of the query string, from 1 (1 when absent or not a number; "not found" when
    below 1 or beyond any list's length)."""
    return query_int(request, name, minimum=1, maximum=1_000_000, default=1, error=_("No such page."))
