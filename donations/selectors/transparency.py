"""Public disclosure (công khai) of a fund's money, read from the ledger alone (Decree 93/2019/NĐ-CP).

Every figure here is a sum of `LedgerEntry` rows, so the statement equals the ledger to the đồng:
for a fund, the opening balance of a year plus the net of each month of that year is the sum of its
entries up to the end of that year. An entry is "received" unless it belongs to a disbursement; a
reversal counts on the side of what it reverses (it carries the donation or disbursement).

The month statement, the balances and the year's total read `LedgerMonth`, the ledger summed by
month that the database keeps with every insert (donations.ledger_sql): a few dozen rows a year,
however many entries the fund has (summing 5,000,000 entries took 620 ms).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import F, Max, Q, Sum, Value
from django.db.models.functions import Least
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.lookups import holds_read
from fund_portal.text import fold

from ..models import (
    CampaignRaised,
    DisplayPreference,
    Donation,
    DonationStatus,
    DonorKind,
    EntryKind,
    EntryLink,
    Fund,
    HonourRollYear,
    LedgerEntry,
    LedgerMonth,
    Medium,
    NeedArea,
    RecipientKind,
    RestrictionKind,
)
from .public_funds import in_fund_scope

#: The kinds of entry that are money or goods given to the fund, with their reversals.
DONATION_KINDS = (EntryKind.DONATION, EntryKind.REVERSAL)
#: Entries that are spending: disbursements and their reversals. Everything else is received
#: (donations and their reversals, opening balances, transfers in from a higher-level fund).
SPENDING = Q(kind=EntryKind.DISBURSEMENT) | Q(kind=EntryKind.REVERSAL, disbursement__isnull=False)
#: The same, for the month totals.
MONTH_SPENDING = Q(kind=EntryKind.DISBURSEMENT) | Q(kind=EntryKind.REVERSAL, link=EntryLink.DISBURSEMENT)


@dataclass
class MonthRow:
    """One month of a fund's statement; amounts in đồng, goods at their value."""

    month: dt.date
    cash_in: int = 0
    cash_out: int = 0
    goods_in: int = 0
    goods_out: int = 0
    cash_balance: int = 0
    goods_balance: int = 0

    @property
    def net(self) -> int:
        return self.cash_in - self.cash_out + self.goods_in - self.goods_out


@dataclass
class Statement:
    """A fund's statement for one year: the balances brought forward, each month, and the totals."""

    fund: Fund
    year: int
    years: list[int]
    opening_cash: int = 0
    opening_goods: int = 0
    months: list[MonthRow] = field(default_factory=list)
    #: What the fund holds after its latest entry (all years).
    closing_cash: int = 0
    closing_goods: int = 0

    @property
    def totals(self) -> MonthRow:
        total = MonthRow(month=dt.date(self.year, 12, 1))
        for row in self.months:
            total.cash_in += row.cash_in
            total.cash_out += row.cash_out
            total.goods_in += row.goods_in
            total.goods_out += row.goods_out
        total.cash_balance = self.opening_cash + total.cash_in - total.cash_out
        total.goods_balance = self.opening_goods + total.goods_in - total.goods_out
        return total


def public_funds(*, unit_path: str | None = None) -> list[Fund]:
    """The funds the public site discloses (those under `unit_path`): every active fund, the top-level
    ones first."""
    funds = in_fund_scope(Fund.objects.filter(is_active=True), "unit", unit_path)
    return list(funds.select_related("unit").order_by("parent_id", "name", "pk"))


def fund_statement(*, fund: Fund, year: int | None = None) -> Statement:
    """The fund's month-by-month statement of `year` (default: the latest year with entries)."""
    net = F("inflow") + F("outflow")
    months = (
        LedgerMonth.objects.filter(fund=fund)
        .values("month", "medium")
        .annotate(received=Sum(net, filter=~MONTH_SPENDING), spent=Sum(net, filter=MONTH_SPENDING))
        .order_by()
    )
    by_month: dict[dt.date, MonthRow] = {}
    for row in months:
        month = row["month"]
        target = by_month.setdefault(month, MonthRow(month=month))
        inflow, outflow = row["received"] or 0, -(row["spent"] or 0)
        if row["medium"] == Medium.GOODS:
            target.goods_in += inflow
            target.goods_out += outflow
        else:
            target.cash_in += inflow
            target.cash_out += outflow
    years = sorted({month.year for month in by_month}, reverse=True)
    if year is None:
        year = years[0] if years else timezone.localdate().year
    statement = Statement(fund=fund, year=year, years=years)
    cash, goods = 0, 0
    for month in sorted(by_month):
        row = by_month[month]
        if month.year == year and not statement.months:
            statement.opening_cash, statement.opening_goods = cash, goods
        cash += row.cash_in - row.cash_out
        goods += row.goods_in - row.goods_out
        row.cash_balance, row.goods_balance = cash, goods
        if month.year < year:
            statement.opening_cash, statement.opening_goods = cash, goods
        elif month.year == year:
            statement.months.append(row)
    statement.closing_cash, statement.closing_goods = cash, goods
    return statement


def _purpose_label(need_area: str, recipient_kind: str) -> str:
    if need_area:
        return str(NeedArea(need_area).label)
    return str(RecipientKind(recipient_kind).label) if recipient_kind else _("Other purpose of the fund")


def fund_spending(*, fund: Fund, year: int) -> dict[str, list[dict]]:
    """What the fund spent in `year` (net of reversed spending), by purpose and by commune, largest first."""
    # Every spending entry names its disbursement: the partial index entry_disbursement_idx finds them
    # among millions of donations.
    entries = LedgerEntry.objects.filter(
        SPENDING, fund=fund, entry_date__year=year, disbursement__isnull=False
    )
    by_purpose: dict[str, int] = {}
    for row in entries.values("disbursement__need_area", "disbursement__recipient_kind").annotate(
        total=Sum("amount")
    ):
        label = _purpose_label(row["disbursement__need_area"], row["disbursement__recipient_kind"])
        by_purpose[label] = by_purpose.get(label, 0) - row["total"]
    by_commune: dict[str, int] = {}
    for row in entries.values("disbursement__recipient_unit__name").annotate(total=Sum("amount")):
        label = row["disbursement__recipient_unit__name"] or _("The fund as a whole")
        by_commune[label] = by_commune.get(label, 0) - row["total"]

    def ranked(totals: dict[str, int]) -> list[dict]:
        rows = [{"label": k, "amount": v} for k, v in totals.items() if v]
        return sorted(rows, key=lambda r: (-r["amount"], r["label"]))

    return {"purpose": ranked(by_purpose), "commune": ranked(by_commune)}


def fund_balances(*, statement: Statement) -> list[dict]:
    """What the fund holds today, by what it may be spent on (unrestricted, a campaign, a commune...).

    Restricted entries are few and read through the partial index `entry_fund_restricted_idx`; the
    unrestricted pool is the statement's closing balance less the restricted pools, so the pools add
    up to the ledger's balance exactly, without scanning every entry a second time."""
    rows = (
        LedgerEntry.objects.filter(fund=statement.fund)
        .exclude(restriction=RestrictionKind.NONE)
        .values(
            "restriction",
            "restriction_campaign__name",
            "restriction_unit__name",
            "restriction_need",
            "medium",
        )
        .annotate(total=Sum("amount"))
        .order_by()
    )
    free = {"label": _("Unrestricted"), "cash": statement.closing_cash, "goods": statement.closing_goods}
    pools: dict[str, dict] = {}
    for row in rows:
        kind = row["restriction"]
        if kind == RestrictionKind.CAMPAIGN:
            label = _("Campaign: %(name)s") % {"name": row["restriction_campaign__name"]}
        elif kind == RestrictionKind.COMMUNE:
            label = _("For %(commune)s") % {"commune": row["restriction_unit__name"]}
        elif kind == RestrictionKind.NEED_AREA:
            label = _("For %(area)s") % {"area": NeedArea(row["restriction_need"]).label}
        else:
            label = _("Sponsorships of children")
        medium = "goods" if row["medium"] == Medium.GOODS else "cash"
        pool = pools.setdefault(label, {"label": label, "cash": 0, "goods": 0})
        pool[medium] += row["total"]
        free[medium] -= row["total"]
    restricted = sorted((p for p in pools.values() if p["cash"] or p["goods"]), key=lambda p: p["label"])
    return ([free] if free["cash"] or free["goods"] else []) + restricted


def public_name(*, name: str, preference: str) -> str:
    """A donor's name as the donor chose to be shown (Donation.public_name, without loading a Donation)."""
    if not name or preference == DisplayPreference.ANONYMOUS:
        return _("Anonymous benefactor")
    if preference == DisplayPreference.INITIALS:
        return ".".join(part[0].upper() for part in name.split() if part) + "."
    return name


def _add_shown(shown: dict, *, name: str, preference: str, amount: int, count: int) -> None:
    label = public_name(name=name, preference=preference)
    item = shown.setdefault(label, {"name": label, "amount": 0, "count": 0})
    item["amount"] += amount
    item["count"] += count


#: Donor lines on one page of the transparency page.
DONOR_LINES_PAGE = 100

_MONTH_LINES = "FROM donations_donormonth m WHERE m.fund_id = %s AND m.month = %s"


@dataclass
class DonorLines:
    """One page of a fund's donors in a month: the lines, the page, how many lines and pages in all,
    and what the month's donors gave in all."""

    rows: list[dict]
    page: int
    count: int
    pages: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _named_lines(fund_id: int, month: dt.date, *, offset: int, limit: int) -> list[dict]:
    """The lines of donors shown by name or initials, largest first (the index's order)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(r.name, m.name), m.display_preference, r.display_preference, m.total, m.gifts "
            "FROM donations_donormonth m LEFT JOIN donations_donor r ON r.id = m.donor_id "
            "WHERE m.fund_id = %s AND m.month = %s AND NOT m.anonymous AND m.total <> 0 "
            "ORDER BY m.total DESC, m.id LIMIT %s OFFSET %s",
            [fund_id, month, limit, offset],
        )
        rows = cursor.fetchall()
    return [
        {
            "name": public_name(name=name, preference=DisplayPreference.most_private(gift, donor or gift)),
            "count": gifts,
            "amount": total,
        }
        for name, gift, donor, total, gifts in rows
    ]


def _month_bounds(fund_id: int, month: dt.date) -> tuple[int, int, int, int]:
    """The count of named lines, the anonymous line's amount and gifts, and the month's total, from
    the index (fund, month, anonymous, total; gifts included) alone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FILTER (WHERE NOT m.anonymous AND m.total <> 0), "
            "COALESCE(SUM(m.total) FILTER (WHERE m.anonymous), 0), "
            "COALESCE(SUM(m.gifts) FILTER (WHERE m.anonymous), 0), COALESCE(SUM(m.total), 0) " + _MONTH_LINES,
            [fund_id, month],
        )
        return cursor.fetchone()


def fund_donor_lines(
    *, fund: Fund, year: int, month: int, page: int = 1, per_page: int = DONOR_LINES_PAGE
) -> DonorLines:
    """Who gave to the fund in a month, as each donor chose to be shown, largest first, a page at a
    time: a line per donor record (per name given, for gifts without one), and one line, "Anonymous
    benefactor", for every gift shown anonymously, at its rank among the others.

    Read from `DonorMonth`, the lines the database keeps from the ledger: a donation counts in the
    month it was received, a reversal in the month it was entered, so the lines add up to the month's
    donation entries. A page reads its lines through the index in their order; counting a heavy
    month's 140,000 donations on each cold page took over a second."""
    start = dt.date(year, month, 1)
    named, anonymous, anonymous_gifts, total = _month_bounds(fund.pk, start)
    count = named + (1 if anonymous else 0)
    pages = max(1, -(-count // per_page))
    page = min(max(page, 1), pages)
    first = (page - 1) * per_page
    rank = None
    if anonymous:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) {_MONTH_LINES} AND NOT m.anonymous AND m.total >= %s",  # noqa: S608
                [fund.pk, start, anonymous],
            )
            rank = cursor.fetchone()[0]
    shown_before = first - (1 if rank is not None and rank < first else 0)
    rows = _named_lines(fund.pk, start, offset=shown_before, limit=per_page)
    if rank is not None and first <= rank < first + per_page:
        line = {"name": public_name(name="", preference=""), "count": anonymous_gifts, "amount": anonymous}
        rows = [*rows[: rank - first], line, *rows[rank - first :]][:per_page]
    return DonorLines(rows=rows, page=page, count=count, pages=pages, total=total)


def fund_donor_list(*, fund: Fund, year: int, month: int) -> list[dict]:
    """Every line of `fund_donor_lines` of the month, in its order (the downloads)."""
    lines = fund_donor_lines(fund=fund, year=year, month=month)
    return fund_donor_lines(fund=fund, year=year, month=month, per_page=max(lines.count, 1)).rows


def campaigns_raised(*, campaign_ids: list[int]) -> dict[int, int]:
    """Money and goods (at value) raised by each campaign, net of reversals (`CampaignRaised`, which the
    database keeps as entries are posted)."""
    raised = dict.fromkeys(campaign_ids, 0)
    if campaign_ids:
        rows = CampaignRaised.objects.filter(campaign_id__in=campaign_ids).values_list("campaign_id", "total")
        raised.update(rows)
    return raised


def campaign_donor_wall(*, campaign_id: int, limit: int = 60) -> list[dict]:
    """The latest gifts to a campaign, each donor as they chose to be shown."""
    donations = (
        Donation.objects.filter(campaign_id=campaign_id, status=DonationStatus.POSTED)
        .select_related("donor")
        .order_by("-received_on", "-id")[:limit]
    )
    return [{"name": d.public_name, "amount": d.amount, "on": d.received_on} for d in donations]


def raised_in_year(*, year: int, unit_path: str | None = None) -> int:
    """Money and goods (at value) given to all the funds (those under `unit_path`) in a year, net of
    reversals."""
    months = LedgerMonth.objects.filter(kind__in=DONATION_KINDS, link=EntryLink.DONATION, month__year=year)
    months = in_fund_scope(months, "fund__unit", unit_path)
    return months.aggregate(total=Sum(F("inflow") + F("outflow")))["total"] or 0


def recognition_thresholds(*, fund: Fund | None) -> tuple[int, int]:
    """A fund's honour-roll thresholds (amount in a year, years running): its own, else the settings."""
    return (
        (fund and fund.recognition_min_amount) or settings.RECOGNITION_MIN_AMOUNT,
        (fund and fund.recognition_years) or settings.RECOGNITION_CONSECUTIVE_YEARS,
    )


#: Donors on one page of the honour roll.
HONOUR_ROLL_PAGE = 100


@dataclass
class HonourRoll:
    """One page of the honour roll: its rows, the page number, whether more follow, and how many
    donors are on the roll in all (with the search, if any)."""

    rows: list[dict]
    page: int
    count: int
    pages: int

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _roll_page(roll, *, start: int, size: int, window: int) -> list[dict]:
    """Lines `start` to `start + size` of the roll in its order: the largest amount first, then the
    years running shown (up to the window), the name, the donor.

    The index gives the lines by amount, so the page's amounts are read from it without sorting; only
    the lines of those amounts are then sorted in the roll's order. Sorting every line before a deep
    page in the roll's order (years running capped at the window are not in the index) took 450 ms
    at 83,000 lines; this reads the index twice, without sorting."""
    amounts = list(roll.order_by("-amount").values_list("amount", flat=True)[start : start + size])
    if not amounts:
        return []
    highest, lowest = amounts[0], amounts[-1]
    before = roll.filter(amount__gt=highest).count() if start else 0
    lines = (
        roll.filter(amount__lte=highest, amount__gte=lowest)
        # Years running are shown up to the window: beyond it they no longer rank a donor above another.
        .annotate(shown_streak=Least("streak", Value(window)))
        .order_by("-amount", "-shown_streak", "name", "donor_id")
        .values("name", "kind", "display_preference", "amount", "shown_streak")
    )
    return list(lines[start - before : start - before + size])


#: A scope's lines of a year up to this many are searched by reading them (their index holds the folded
#: name), more by the names' trigram index. That index holds every scope's lines of every year: a common
#: word ("hoang") finds 370,000 of them over the national data set, 100 ms before a province's 9,000
#: lines of the year are kept, where reading those 9,000 takes 3 ms.
ROLL_LINES_READ = 50_000


def _name_holds(folded: str, *, scope: str, year: int) -> Q | GreaterThan:
    """The roll lines whose folded name holds `folded`: read from the scope's own lines when they are
    few (`ROLL_LINES_READ`; `strpos`, which no index serves), else through the trigram index."""
    lines = HonourRollYear.objects.filter(scope=scope, year=year).order_by()
    if lines[: ROLL_LINES_READ + 1].count() <= ROLL_LINES_READ:
        return holds_read("name_folded", folded)
    return Q(name_folded__contains=folded)


def recognised_donors(
    *,
    year: int,
    fund: Fund | None = None,
    unit_path: str | None = None,
    query: str = "",
    page: int = 1,
    per_page: int = HONOUR_ROLL_PAGE,
) -> HonourRoll:
    """The honour roll (vinh danh) of a fund's pages: donors to the funds under `unit_path` who gave at
    least the fund's amount in `year`, or gave in each of its years running
    (`recognition_thresholds`); shown as they chose, anonymous ones left out; the largest gift of the
    year first. A page at a time, and optionally only the donors shown by their full name whose name
    holds `query` (without diacritics).

    Read from `HonourRollYear`, the lines the database keeps for each scope and year (from `DonorYear`,
    itself kept as entries are posted), through their index in the roll's order: a page, a deep page
    and a search read only the scope's lines of the year. A gift made anonymously (its own choice,
    whatever the donor record says) counts for nobody's name, since thanking its donor by name for it
    would tell what the donor asked to keep quiet."""
    min_amount, years_needed = recognition_thresholds(fund=fund)
    window = max(years_needed, 1)
    roll = HonourRollYear.objects.filter(scope=unit_path or "", year=year).filter(
        Q(amount__gte=min_amount) | Q(streak__gte=years_needed)
    )
    if query.strip():
        # Only the names shown in full are searched: finding a line shown by its initials by the name
        # behind them would tell, a word at a time, what its donor asked to keep to the initials.
        roll = roll.filter(display_preference=DisplayPreference.FULL_NAME).filter(
            _name_holds(fold(query), scope=unit_path or "", year=year)
        )
    count = roll.count()
    pages = max(1, -(-count // per_page))
    page = min(max(page, 1), pages)
    kinds = dict(DonorKind.choices)
    rows = [
        {
            "name": public_name(name=line["name"], preference=line["display_preference"]),
            "kind": kinds.get(line["kind"], line["kind"]),
            "amount": line["amount"],
            "streak": line["shown_streak"],
        }
        for line in _roll_page(roll, start=(page - 1) * per_page, size=per_page, window=window)
    ]
    return HonourRoll(rows=rows, page=page, count=count, pages=pages)


def ledger_version() -> int:
    """The id of the latest ledger entry: it grows with every posting, reversal and disbursement."""
    return LedgerEntry.objects.aggregate(v=Max("id"))["v"] or 0
