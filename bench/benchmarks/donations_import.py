"""Benchmark of the donations import (issues 3 and 20): the fast path against django-import-export and
the physical limit.

One 100,000-row XLSX of realistic donations to the demo district fund is imported, in the same
run, by `donations_import` (validated, all or nothing, posted with receipt numbers and ledger
entries), by `DonationResource` (django-import-export, tuned: the baseline; pending donations
only), by a COPY of the same donation rows into the real table (its indexes and foreign keys), and by
a bare COPY of those rows into an unlogged table without index or foreign key (the physical limit,
issue 20: what the database takes to store the bytes at all). Each write is rolled back afterwards,
so the measure can run again on the same database.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time

from django.db import connection
from django.utils import timezone

from bench.baselines.donations import DonationResource
from bench.measure import Measure, benchmark, peak_rss_mb, peak_rss_reset
from bench.rollback import (
    check_deferred_constraints,
    median_in_rollback,
    rolled_back,
    runs_note,
    timed_in_rollback,
)
from campaigns.models import Campaign
from donations.demo import AMOUNT_WEIGHTS, AMOUNTS, COMPANIES, GIVEN, MIDDLE, POSTED_TABLES, SURNAMES
from donations.imports.donation_load import DONATION_COLUMNS, donation_copy_row
from donations.imports.donation_rows import HEADERS
from donations.imports.donations import donations_import
from donations.models import (
    DisplayPreference,
    DocumentCounter,
    Donation,
    DonationStatus,
    Fund,
    RestrictionKind,
)
from donations.services.numbers import receipt_number
from fund_portal.bulk import bulk_load, reserve_ids
from fund_portal.demo import seed_demo
from fund_portal.models import User

ROWS = 100_000
FAST_TARGET_S = 15
RATIO_TARGET = 3
#: The tables an import writes, the sums its postings' triggers keep included: vacuumed after each
#: rolled-back measure (left unvacuumed, each run's dead versions of the sums slowed the next run).
WRITTEN = (*POSTED_TABLES, DocumentCounter)
NOTES = ("", "", "", "Ủng hộ trẻ em nghèo", "Quà Trung thu cho các cháu", "Ủng hộ qua đoàn thanh niên")


def donation_lines(*, rows: int, fund_code: str, campaign_slug: str = "", seed: int = 2026) -> list[list]:
    """Template rows: dates as Excel dates or text, amounts as numbers or text, one in five anonymous."""
    rng = random.Random(seed)
    today = timezone.localdate()
    run = f"{int(time.time()):x}"
    companies = [
        (rng.choice(COMPANIES).format(f"{rng.choice(GIVEN)} {rng.choice(GIVEN)}"), f"{2800000000 + n:010d}")
        for n in range(300)
    ]
    lines = []
    for n in range(rows):
        day = today - dt.timedelta(days=rng.randint(1, 1000))
        amount = rng.choices(AMOUNTS, AMOUNT_WEIGHTS)[0]
        who = rng.random()
        if who < 0.05:
            name, tax_code = rng.choice(companies)
        elif who < 0.80:
            name, tax_code = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}", ""
        else:
            name, tax_code = "", ""
        lines.append(
            [
                day if rng.random() < 0.9 else day.strftime("%d/%m/%Y"),
                amount if rng.random() < 0.7 else f"{amount:,}".replace(",", "."),
                "Tiền mặt" if rng.random() < 0.4 else "Chuyển khoản",
                name,
                tax_code,
                fund_code,
                campaign_slug if campaign_slug and rng.random() < 0.1 else "",
                "",
                f"BENCH-{run}-{n + 1:06d}",
                rng.choice(NOTES),
            ]
        )
    return lines


def donations_xlsx(lines: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for line in lines:
        # Padded to the header's width: django-import-export's reader fails on shorter rows when the
        # file records no sheet dimension (openpyxl's write-only mode records none).
        sheet.append(line + [""] * (len(HEADERS) - len(line)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bare_copy_seconds(rows: list[tuple]) -> float:
    """Seconds of a bare COPY of the rows into a table shaped as the donations' but unlogged, without
    index, key or foreign key, made in a transaction that is rolled back (a temporary table on SQLite,
    where the copy is executemany): the physical limit of storing the rows at all."""
    table = "bench_copy_limit"
    create = (
        f"CREATE UNLOGGED TABLE {table} (LIKE {Donation._meta.db_table} INCLUDING DEFAULTS)"
        if connection.vendor == "postgresql"
        else f"CREATE TEMP TABLE {table} AS SELECT * FROM {Donation._meta.db_table} WHERE 0"
    )
    with rolled_back():
        with connection.cursor() as cursor:
            cursor.execute(create)
        start = time.perf_counter()
        bulk_load(table, DONATION_COLUMNS, rows)
        elapsed = time.perf_counter() - start
        if connection.vendor != "postgresql":  # a temporary table survives a rollback on SQLite
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {table}")
    return elapsed


def _copy_rows(fund: Fund, user: User, lines: list[list]) -> list[tuple]:
    """The donation rows the fast path writes, built from the spreadsheet's rows without any check."""
    now = timezone.now()
    year = timezone.localtime(now).year
    last = (
        DocumentCounter.objects.filter(fund=fund, series="receipt", year=year)
        .values_list("last", flat=True)
        .first()
        or 0
    )
    ids = reserve_ids(Donation._meta.db_table, len(lines))
    rows = []
    for n, (donation_id, line) in enumerate(zip(ids, lines, strict=True), start=1):
        seq = last + n
        day = line[0] if isinstance(line[0], dt.date) else dt.datetime.strptime(line[0], "%d/%m/%Y").date()  # noqa: DTZ007
        amount = line[1] if isinstance(line[1], int) else int(line[1].replace(".", ""))
        kind = "cash" if line[2] == "Tiền mặt" else "transfer"
        key, note = line[8], line[9]
        rows.append(
            donation_copy_row(
                id=donation_id,
                fund_id=fund.pk,
                kind=kind,
                amount=amount,
                received_on=day,
                source="child_fund",
                status=DonationStatus.POSTED,
                receipt_year=year,
                receipt_seq=seq,
                receipt_number=receipt_number(fund.code, year, seq),
                display_preference=DisplayPreference.FULL_NAME,
                message=note,
                import_key=key,
                created_by_id=user.pk,
                created_at=now,
                posted_by_id=user.pk,
                posted_at=now,
                restriction=RestrictionKind.NONE,
            )
        )
    return rows


@benchmark("donation_import")
def bench_donation_import(rows: int = ROWS) -> list[Measure]:
    """Import 100,000 donations from an XLSX: fast path, django-import-export (tuned), plain COPY, dry run."""
    seed_demo()
    fund = Fund.objects.get(code="qbtte-trieu-son")
    user = User.objects.get(username="canbo.huyen")
    campaign = Campaign.objects.filter(unit=fund.unit).order_by("-starts_on").first()
    lines = donation_lines(rows=rows, fund_code=fund.code, campaign_slug=campaign.slug if campaign else "")
    data = donations_xlsx(lines)
    size = f"{rows:,}".replace(",", ".")
    note_size = f"{size} rows, {len(data) / 2**20:.1f} MB XLSX, {connection.vendor}"

    # (a) The fast path: calamine, validation in Python, one transaction, COPY; the median of three runs.
    rss_before = peak_rss_reset()
    fast_s, fast_runs, fast = median_in_rollback(
        lambda: donations_import(uploaded=io.BytesIO(data), by=user, dry_run=False, name="bench.xlsx"),
        clean=WRITTEN,
    )
    rss_fast = peak_rss_mb()
    if not fast.ok or fast.rows != rows:
        raise RuntimeError(f"the fast path refused the benchmark file: {fast.error_messages()[:5]}")

    # (d) The dry run: the same checks, a preview, nothing written.
    start = time.perf_counter()
    dry = donations_import(uploaded=io.BytesIO(data), by=user, dry_run=True, name="bench.xlsx")
    dry_s = time.perf_counter() - start
    if not dry.ok:
        raise RuntimeError(f"the dry run refused the benchmark file: {dry.error_messages()[:5]}")

    # (c) COPY of the same donation rows, built beforehand (the physical limit of the database).
    def copy():
        prepared = _copy_rows(fund, user, lines)
        start = time.perf_counter()
        bulk_load(Donation._meta.db_table, DONATION_COLUMNS, prepared)
        check_deferred_constraints()
        return time.perf_counter() - start

    _total, copy_s = timed_in_rollback(copy, clean=WRITTEN)
    limit_s = bare_copy_seconds(_copy_rows(fund, user, lines))

    # (b) The baseline: django-import-export 4.4, tuned, reading the same file with openpyxl.
    def library():
        from import_export.formats.base_formats import XLSX

        dataset = XLSX().create_dataset(data)
        return DonationResource(user=user).import_data(dataset, dry_run=False, use_transactions=True)

    peak_rss_reset()
    library_s, library_result = timed_in_rollback(library, clean=WRITTEN)
    rss_library = peak_rss_mb()
    if library_result.has_errors() or library_result.has_validation_errors():
        raise RuntimeError("django-import-export refused the benchmark file")

    copy_label = (
        "PostgreSQL COPY" if connection.vendor == "postgresql" else "executemany (SQLite has no COPY)"
    )
    limit_label = f"bare {copy_label} into an unindexed unlogged table"
    return [
        Measure(
            f"donation import: fast path, {size} rows (validated, posted, all or nothing)",
            round(fast_s, 2),
            "s",
            target=FAST_TARGET_S,
            baseline=round(library_s, 2),
            baseline_label="django-import-export 4.4 tuned",
            note=f"{note_size}; {fast.new_donors} new donors; {runs_note(fast_runs)}; "
            f"peak RSS {rss_fast:.0f} MB (+{max(rss_fast - rss_before, 0):.0f} MB)",
        ),
        Measure(
            f"donation import: django-import-export tuned, {size} rows",
            round(library_s, 2),
            "s",
            note="use_bulk, batch_size=1000, skip_diff, force_init_instance, cached lookups; openpyxl read; "
            "writes pending donations only (no receipt numbers, no ledger entries, no donors); "
            f"peak RSS {rss_library:.0f} MB",
        ),
        Measure(
            f"donation import: {copy_label} of the same {size} donation rows into the donations table",
            round(copy_s, 2),
            "s",
            note="rows built beforehand; the table's indexes and deferred foreign-key checks; "
            "no reading, no validation, no ledger entries"
            + ("" if connection.vendor == "postgresql" else "; SQLite has no COPY: this is executemany"),
        ),
        Measure(
            f"donation import: physical limit, {limit_label}, {size} rows",
            round(limit_s, 3),  # a small file's bare COPY takes milliseconds
            "s",
            note="the same rows built beforehand; no index, no key, no foreign key, no WAL; "
            "the floor under every import",
        ),
        Measure(
            "donation import: fast path vs django-import-export",
            round(library_s / fast_s, 2),
            "x faster",
            target=RATIO_TARGET,
            bound="min",
        ),
        Measure(
            f"donation import: fast path vs {copy_label} into the donations table",
            round(fast_s / copy_s, 2),
            "x the time",
            note="the fast path also reads the XLSX, validates, numbers receipts and writes ledger entries",
        ),
        Measure(
            "donation import: fast path vs the physical limit",
            round(fast_s / limit_s, 2),
            "x the time",
            note=f"{limit_label}, same run",
        ),
        Measure(
            "donation import: django-import-export vs the physical limit",
            round(library_s / limit_s, 2),
            "x the time",
            note=f"{limit_label}, same run",
        ),
        Measure(
            f"donation import: dry run, {size} rows (all checks, preview, nothing written)",
            round(dry_s, 2),
            "s",
            target=FAST_TARGET_S,
        ),
    ]
