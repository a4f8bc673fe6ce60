"""The national-shape data set (issue 20): `seed_demo --national [--scale F]`.

On top of the small demo (Thanh Hóa keeps its three-level Triệu Sơn): the national two-level tree
(34 provinces), villages in every commune, a fund per province and a few commune funds under it, a
Mid-Autumn campaign per province and year, 2,000,000 children over the communes (some communes far
larger than others) and 20,000,000 posted donations over ten years, more each year, with their ledger
entries. `scale` loads that fraction (0.02: 40,000 children and 400,000 donations).

Every row goes by COPY (`fund_portal.bulk`), the ledger entries by the import's own INSERT ... SELECT
(`ledger_entries_post`); the database's triggers keep the month totals, the donors' yearly sums and
the campaigns' totals. Donations are made a fund at a time, COPY in chunks and the entries in one
statement, in one transaction per fund, on a process per core (PostgreSQL): memory stays that of a
chunk, and a load cut short is finished by the next run (a fund that has donations is skipped, as is
every step whose rows are there). The whole set loads in about 20 minutes on 2 cores
(`docs/benchmarks.md`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, CampaignKind
from children.demo import seed_children
from children.models import Child
from fund_portal.bulk import analyze, bulk_load, foreign_keys_drop, foreign_keys_restore, next_ids
from fund_portal.demo import DEMO_COMMUNES
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.services import NATIONAL_FILE, units_load, units_load_national, units_read_file

from .demo import AMOUNT_WEIGHTS, AMOUNTS, POSTED_TABLES, demo_donor_row
from .imports.donation_load import DONATION_COLUMNS, DONOR_COLUMNS, donation_copy_row
from .models import (
    DisplayPreference,
    DocumentSeries,
    Donation,
    DonationKind,
    DonationStatus,
    Donor,
    Fund,
    LedgerEntry,
    LedgerMonth,
    RestrictionKind,
    SourceCategory,
)
from .services.donations import ledger_entries_post
from .services.numbers import document_numbers_reserve, receipt_number

CHILDREN = 2_000_000
DONATIONS = 20_000_000
YEARS = 10
VILLAGES_PER_COMMUNE = 5
COMMUNE_FUNDS_PER_PROVINCE = 3
#: A province's fund takes this share of the province's donations; its commune funds split the rest.
PROVINCE_FUND_SHARE = 0.8
#: The share of a province fund's donations in its Mid-Autumn campaign's weeks that go to the campaign.
CAMPAIGN_SHARE = 0.5
#: The spread of the communes' sizes (a log-normal's sigma): the largest commune holds about ten
#: times the children of the median one.
COMMUNE_SPREAD = 0.9
#: A donation day of the last year weighs this much more than one of the first year.
GROWTH = 3.0
CHUNK = 100_000
SEED = 2025

PROVINCE_FUND_CODE = "qbtte-tinh-{code}"
COMMUNE_FUND_CODE = "qbtte-xa-{code}"


@dataclass
class NationalLoad:
    """What a run did: (step, seconds, what it loaded, or None when the step found its rows there)."""

    steps: list[tuple[str, float, str | None]] = field(default_factory=list)
    #: How many processes loaded the donations at once.
    processes: int = 1


def national_funds(province: AdministrativeUnit) -> list[Fund]:
    """The national data set's funds of a province: its own first, then its communes' (empty when the
    national data set is not loaded)."""
    own = Fund.objects.filter(code=PROVINCE_FUND_CODE.format(code=province.code)).first()
    if own is None:
        return []
    return [own, *Fund.objects.filter(parent=own, code__startswith="qbtte-xa-").order_by("code")]


def national_seed(*, scale: float = 1.0, say: Callable[[str], None] = print) -> NationalLoad:
    """Load what is missing of the national data set at `scale` (0 < scale <= 1)."""
    load = NationalLoad()
    children = round(CHILDREN * scale)
    donations = round(DONATIONS * scale)

    def step(label: str, func: Callable[[], str | None]) -> None:
        started = time.perf_counter()
        say(_("%(step)s ...") % {"step": label})
        done = func()
        seconds = time.perf_counter() - started
        load.steps.append((label, seconds, done))
        took = {"done": done, "s": f"{seconds:.1f}"}
        say(_("  %(done)s (%(s)s s)") % took if done else _("  already there, skipped (%(s)s s)") % took)

    step(_("the national tree (34 provinces)"), _tree)
    step(_("%(n)s villages in every commune") % {"n": VILLAGES_PER_COMMUNE}, national_villages)
    weights = _commune_weights()
    step(_("a fund per province and its communes' funds, a campaign per province and year"), _funds)
    step(_("%(n)s children") % {"n": _n(children)}, lambda: _children(children, weights))
    step(
        _("%(n)s donations over %(years)s years") % {"n": _n(donations), "years": YEARS},
        lambda: _donations(donations, weights, say, load),
    )
    started = time.perf_counter()
    analyze(AdministrativeUnit, Fund, Donor, Donation, LedgerEntry)
    load.steps.append((_("planner statistics (VACUUM ANALYZE)"), time.perf_counter() - started, "✓"))
    return load


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _tree() -> str | None:
    if AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).count() >= 34:
        return None
    loaded = units_load_national()
    done = _("%(provinces)s provinces, %(communes)s communes") % {
        "provinces": loaded.provinces,
        "communes": _n(loaded.communes),
    }
    if loaded.kept:
        done += _("; kept in their own shape: %(names)s") % {"names": ", ".join(loaded.kept)}
    return done


def national_villages() -> str | None:
    """Five villages in every commune that has none (the demo's communes keep theirs); what was made."""
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).exclude(
        pk__in=AdministrativeUnit.objects.filter(level=UnitLevel.VILLAGE).values("parent_id")
    )
    rows = [
        {"code": f"{code}-{n:02d}", "name": f"Thôn {n}", "level": UnitLevel.VILLAGE, "parent": code}
        for code in communes.values_list("code", flat=True)
        for n in range(1, VILLAGES_PER_COMMUNE + 1)
    ]
    if not rows:
        return None
    units_load(rows=rows)
    return _("%(n)s villages") % {"n": _n(len(rows))}


def _commune_weights() -> dict[int, float]:
    """How large each commune is, the same on every run (the children and donations follow it).

    A province the database holds in another shape than the national list's (the demo's Thanh Hóa: 549
    communes before the 2025 merger, 166 after) weighs as its communes of the list would: its
    communes are made smaller in proportion."""
    rng = random.Random(SEED)
    weights = {
        pk: rng.lognormvariate(0, COMMUNE_SPREAD)
        for pk in AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
        .order_by("code")
        .values_list("pk", flat=True)
    }
    listed = Counter(
        row["parent"] for row in units_read_file(path=NATIONAL_FILE) if row["level"] == UnitLevel.COMMUNE
    )
    for province in _provinces():
        held = list(
            AdministrativeUnit.objects.filter(
                path__startswith=province.path, level=UnitLevel.COMMUNE
            ).values_list("pk", flat=True)
        )
        if held and listed[province.code] and len(held) != listed[province.code]:
            for pk in held:
                weights[pk] *= listed[province.code] / len(held)
    return weights


def _provinces() -> list[AdministrativeUnit]:
    return list(AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).order_by("code"))


def _funds() -> str | None:
    today = timezone.localdate()
    first = today - dt.timedelta(days=YEARS * 365)
    made = campaigns = 0
    with transaction.atomic():
        for province in _provinces():
            own, created = Fund.objects.get_or_create(
                code=PROVINCE_FUND_CODE.format(code=province.code),
                defaults={"unit": province, "name": f"Quỹ Bảo trợ trẻ em {province.name}"},
            )
            made += created
            communes = AdministrativeUnit.objects.filter(
                path__startswith=province.path, level=UnitLevel.COMMUNE
            ).order_by("path")[:COMMUNE_FUNDS_PER_PROVINCE]
            for commune in communes:
                made += Fund.objects.get_or_create(
                    code=COMMUNE_FUND_CODE.format(code=commune.code),
                    defaults={"unit": commune, "parent": own, "name": f"Quỹ Bảo trợ trẻ em {commune.name}"},
                )[1]
            for year in range(first.year, today.year + 1):
                starts, ends = dt.date(year, 8, 15), dt.date(year, 10, 15)
                if starts >= today or ends < first:
                    continue
                campaigns += Campaign.objects.get_or_create(
                    slug=f"trung-thu-{province.code}-{year}",
                    defaults={
                        "name": f"Tết Trung thu {year} – {province.name}",
                        "kind": CampaignKind.MID_AUTUMN,
                        "unit": province,
                        "starts_on": starts,
                        "ends_on": ends,
                        "target_amount": 500_000_000,
                        "description": "Quà Trung thu cho trẻ em có hoàn cảnh đặc biệt.",
                    },
                )[1]
    if not made and not campaigns:
        return None
    return _("%(funds)s funds, %(campaigns)s campaigns") % {"funds": made, "campaigns": campaigns}


def _children(count: int, weights: dict[int, float]) -> str | None:
    outside_demo = Child.objects.exclude(commune__code__in=DEMO_COMMUNES)
    if count == 0 or outside_demo.exists():
        return None
    # Registered last year, so every report of this year counts them.
    registered = dt.datetime(timezone.localdate().year - 1, 1, 15, 9, tzinfo=dt.UTC)
    seed_children(count=count, seed=SEED, registered_at=registered, commune_weights=weights)
    return _("%(n)s children") % {"n": _n(count)}


def _shares(count: int, weights: dict[int, float]) -> list[tuple[Fund, int]]:
    """Each national fund's number of donations: the provinces' by the size of their communes, a
    province's own fund `PROVINCE_FUND_SHARE` of it, its commune funds the rest evenly."""
    sizes = {}
    for province in _provinces():
        ids = AdministrativeUnit.objects.filter(
            path__startswith=province.path, level=UnitLevel.COMMUNE
        ).values_list("pk", flat=True)
        sizes[province] = sum(weights.get(pk, 0.0) for pk in ids)
    total = sum(sizes.values())
    shares: list[tuple[Fund, int]] = []
    given = 0
    for province, size in sizes.items():
        funds = national_funds(province)
        if not funds:
            continue
        wanted = round(count * size / total)
        own = round(wanted * PROVINCE_FUND_SHARE) if len(funds) > 1 else wanted
        each = (wanted - own) // max(len(funds) - 1, 1)
        shares += [(funds[0], own)] + [(fund, each) for fund in funds[1:]]
        given += own + each * (len(funds) - 1)
    if shares and given != count:  # rounding: the largest fund takes the difference
        index = max(range(len(shares)), key=lambda i: shares[i][1])
        fund, wanted = shares[index]
        shares[index] = (fund, max(wanted + count - given, 0))
    return shares


def _donations(
    count: int, weights: dict[int, float], say: Callable[[str], None], load: NationalLoad
) -> str | None:
    """The funds' donations, the largest funds first, on `_jobs()` processes at once: a fund's rows are
    made in Python while the database writes another's entries and sums (each fund in its own
    transaction; the funds share no row)."""
    shares = [(index, fund, n) for index, (fund, n) in enumerate(_shares(count, weights)) if n > 0]
    # The month totals say whether the fund has entries: a few rows a fund, where a look at the
    # donations themselves is planned on the statistics of before the load (a scan of them all).
    loaded_funds = set(LedgerMonth.objects.values_list("fund_id", flat=True).distinct())
    todo = sorted(
        ((fund.pk, wanted, SEED + index) for index, fund, wanted in shares if fund.pk not in loaded_funds),
        key=lambda job: -job[1],
    )
    if not todo:
        foreign_keys_restore(_checked_after())  # a load that stopped before its end dropped them
        return None
    codes = {fund.pk: fund.code for _index, fund, _n in shares}
    loaded = funds = 0
    started = time.perf_counter()
    load.processes = min(_jobs(), len(todo))
    if load.processes > 1:  # outside a transaction: no other writer than the loader's processes
        foreign_keys_drop(_checked_after())
    try:
        for fund_id, wanted in _run(todo, load.processes):
            loaded += wanted
            funds += 1
            if funds & (funds - 1) == 0:  # after the 1st, 2nd, 4th, 8th... fund
                _statistics()
            seconds = time.perf_counter() - started
            say(
                _("  %(fund)s: %(n)s (%(loaded)s in %(funds)s funds, %(s)s s, %(rate)s a second)")
                % {
                    "fund": codes[fund_id],
                    "n": _n(wanted),
                    "loaded": _n(loaded),
                    "funds": funds,
                    "s": f"{seconds:.0f}",
                    "rate": _n(round(loaded / max(seconds, 0.001))),
                }
            )
    finally:  # also when a fund failed: the funds loaded are checked, the keys kept for the next run
        started_checks = time.perf_counter()
        foreign_keys_restore(_checked_after())
    say(_("  foreign keys checked (%(s)s s)") % {"s": f"{time.perf_counter() - started_checks:.1f}"})
    return _("%(n)s donations in %(funds)s funds, on %(processes)s processes") % {
        "n": _n(loaded),
        "funds": funds,
        "processes": load.processes,
    }


def _checked_after() -> list:
    """The foreign keys checked once after the funds are loaded, not row by row as they are (those
    that every donation and entry has: a look-up and a lock of the row named for each)."""
    return [
        Donation._meta.get_field("fund"),
        Donation._meta.get_field("donor"),
        Donation._meta.get_field("campaign"),
        Donation._meta.get_field("restriction_campaign"),
        LedgerEntry._meta.get_field("fund"),
        LedgerEntry._meta.get_field("donation"),
        LedgerEntry._meta.get_field("restriction_campaign"),
    ]


#: The tables a fund's load writes, the triggers' sums included.


def _statistics() -> None:
    """The planner's statistics of the tables being loaded, refreshed as they grow (ANALYZE samples:
    a second or two), as autovacuum does on a server (it is off on the benchmark's PostgreSQL).
    Without them the triggers' look-ups of a fund's donors (`donor_id = ANY(...)`) were planned as
    scans of the whole sums, slower with every fund: the last funds of 40,000 donations took 17 s
    each to post."""
    with transaction.atomic():  # ANALYZE, not VACUUM: a sample, not a pass over every page
        analyze(*POSTED_TABLES)


def _jobs() -> int:
    """Processes loading funds at once: one per core on PostgreSQL (two at least, so that Python and
    the database work at the same time); one on SQLite (one writer), or inside a transaction (another
    process would not see its rows: the tests)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(os.cpu_count() or 1, 2)


def _run(todo: list[tuple[int, int, int]], jobs: int) -> Iterator[tuple[int, int]]:
    """Load each (fund id, count, seed) on `jobs` processes, yielding (fund id, count) as each fund is
    done."""
    if jobs == 1:
        for job in todo:
            yield _load_fund(job)
        return
    connections.close_all()  # each process opens its own connection
    with multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=None) as pool:
        yield from pool.imap_unordered(_load_fund, todo)


def _load_fund(job: tuple[int, int, int]) -> tuple[int, int]:
    fund_id, count, seed = job
    fund_donations_seed(fund=Fund.objects.get(pk=fund_id), count=count, seed=seed)
    return fund_id, count


def _days(rng: random.Random, count: int, first: dt.date, days: int) -> list[int]:
    """How many donations each day from `first` gets: `count` in all, more each year (`GROWTH`)."""
    cumulative = list(itertools.accumulate(1 + (GROWTH - 1) * i / days for i in range(days)))
    per_day = [0] * days
    left = count
    while left:
        batch = min(left, CHUNK)
        for day in rng.choices(range(days), cum_weights=cumulative, k=batch):
            per_day[day] += 1
        left -= batch
    return per_day


def fund_donations_seed(*, fund: Fund, count: int, seed: int) -> int:
    """`count` posted donations to a fund over the last `YEARS` years, with their donors (one for
    forty donations), receipt numbers and ledger entries; in one transaction, COPY in chunks, the
    entries after them in one statement."""
    rng = random.Random(seed)
    today = timezone.localdate()
    first = today - dt.timedelta(days=YEARS * 365)
    per_day = _days(rng, count, first, (today - first).days)
    per_year: Counter[int] = Counter()
    for offset, n in enumerate(per_day):
        per_year[(first + dt.timedelta(days=offset)).year] += n
    campaigns = {
        campaign.starts_on.year: campaign
        for campaign in Campaign.objects.filter(unit=fund.unit, kind=CampaignKind.MID_AUTUMN)
    }
    now = timezone.now()
    with transaction.atomic():
        donors = next_ids(Donor._meta.db_table, max(count // 40, 10))
        rows = (demo_donor_row(rng, pk, fund.unit_id, now) for pk in donors)
        bulk_load(Donor._meta.db_table, DONOR_COLUMNS, rows)
        numbers = {
            year: iter(document_numbers_reserve(fund=fund, series=DocumentSeries.RECEIPT, year=year, count=n))
            for year, n in sorted(per_year.items())
            if n
        }
        ids = next_ids(Donation._meta.db_table, count)
        rows = _rows(rng, fund, ids, per_day, first, numbers, donors, campaigns)
        bulk_load(Donation._meta.db_table, DONATION_COLUMNS, rows)
        # The entries in one statement after the rows: the triggers' sums (the donors' years and
        # months, the honour roll) are then written once per donor, not once per chunk.
        ledger_entries_post(ids, now=now, by=None)
    return count


_AT = {column: index for index, column in enumerate(DONATION_COLUMNS)}
_CUMULATIVE_AMOUNTS = list(itertools.accumulate(AMOUNT_WEIGHTS))


def _rows(rng, fund, ids, per_day, first, numbers, donors, campaigns) -> Iterator[tuple]:
    """The donations as COPY rows, day by day (their receipt numbers follow the days)."""
    blank = list(
        donation_copy_row(
            fund_id=fund.pk,
            source=SourceCategory.CHILD_FUND,
            status=DonationStatus.POSTED,
            display_preference=DisplayPreference.FULL_NAME,
            restriction=RestrictionKind.NONE,
        )
    )
    next_id = iter(ids)
    kinds = (DonationKind.CASH, DonationKind.TRANSFER)
    for offset, n in enumerate(per_day):
        if not n:
            continue
        day = first + dt.timedelta(days=offset)
        posted_at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
        campaign = campaigns.get(day.year)
        in_campaign = campaign is not None and campaign.starts_on <= day <= campaign.ends_on
        year_numbers = numbers[day.year]
        amounts = rng.choices(AMOUNTS, cum_weights=_CUMULATIVE_AMOUNTS, k=n)
        for amount in amounts:
            seq = next(year_numbers)
            row = blank.copy()
            row[_AT["id"]] = next(next_id)
            row[_AT["donor_id"]] = rng.choice(donors) if rng.random() < 0.8 else None
            row[_AT["kind"]] = kinds[rng.random() < 0.5]
            row[_AT["amount"]] = amount
            row[_AT["received_on"]] = day
            row[_AT["receipt_year"]] = day.year
            row[_AT["receipt_seq"]] = seq
            row[_AT["receipt_number"]] = receipt_number(fund.code, day.year, seq)
            row[_AT["created_at"]] = row[_AT["posted_at"]] = posted_at
            if in_campaign and rng.random() < CAMPAIGN_SHARE:
                row[_AT["campaign_id"]] = row[_AT["restriction_campaign_id"]] = campaign.pk
                row[_AT["restriction"]] = RestrictionKind.CAMPAIGN
            yield tuple(row)
