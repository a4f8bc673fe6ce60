"""Postings at province size (issue 20): 50 separate processes posting donations, alone and while a
100,000-row donations import runs (postings/s, p95 with max, errors counted), and the appeal night:
the home and campaign pages under wrk behind gunicorn while a posting arrives every second.

Each posting process is an OS process of its own (forked, with its own database connection), posting
with `donation_post` as the province's staff account, one pending donation after another. The pending
donations are made for the purpose in the province fund (`bench-15`) before the clock starts, and stay
posted afterwards: each run adds a few thousand posted donations of 100,000 đồng to the fund (the
other rows are unaffected at 5,000,000 donations). The import goes to the first commune fund of the
province, in a transaction rolled back after its foreign keys are checked (the data set keeps its
size): postings to the fund an import is writing wait for its commit by design (the receipt counter
stays locked so that numbers have no gap), so the issue's case is another fund's import.

The data set is the province benchmark's (`bench.province_data`, loaded by `bench --only scale`);
without it the benchmark stops with a RuntimeError that says so.
"""

from __future__ import annotations

import io
import multiprocessing
import time
import urllib.request
from dataclasses import dataclass, field

from django.db import connection, connections
from django.utils import timezone

from bench.benchmarks.donations_import import WRITTEN, donation_lines, donations_xlsx
from bench.benchmarks.public import WRK_SECONDS, wrk_run
from bench.benchmarks.public_pages import province_fund, public_pages
from bench.measure import Measure, benchmark, percentile
from bench.province_data import STAFF_USERNAME
from bench.rollback import timed_in_rollback, vacuum_after_rollback
from bench.server import database_url, gunicorn
from donations.imports.donations import donations_import
from donations.models import Donation, DonationKind, Fund
from donations.services.donations import donation_check, donation_post
from fund_portal.models import User

PROCESSES = 50
#: Postings of each process when alone; while the import runs, each posts until it ends (at most
#: PER_PROCESS_MAX).
PER_PROCESS_ALONE = 4
PER_PROCESS_MAX = 40
IMPORT_ROWS = 100_000
MIN_POSTINGS_PER_S = 100
APPEAL_P99_MS = 500
AMOUNT = 100_000
WAIT_SECONDS = 600

_fork = multiprocessing.get_context("fork")


@dataclass
class Postings:
    """What the posting processes did: each posting's milliseconds, the errors, the wall time."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def pending_donations(fund: Fund, *, count: int, by: User) -> list[int]:
    """`count` pending donations of the fund made for the benchmark (the rules of `donation_create`
    checked once: they are all alike); their ids."""
    today = timezone.localdate()
    donation_check(fund=fund, amount=AMOUNT, received_on=today, fields={})
    made = Donation.objects.bulk_create(
        Donation(fund=fund, amount=AMOUNT, received_on=today, kind=DonationKind.CASH, created_by=by)
        for _ in range(count)
    )
    return [donation.pk for donation in made]


def _post(pk: int, by: User | None, postings: Postings) -> None:
    start = time.perf_counter()
    try:
        donation_post(donation=Donation.objects.get(pk=pk), by=by)
    except Exception as error:  # noqa: BLE001  counted and shown, never hidden
        postings.errors.append(f"{type(error).__name__}: {error}"[:200])
        connections.close_all()  # a broken connection is not reused
    else:
        postings.latencies.append((time.perf_counter() - start) * 1000)


def _poster(warm_up: int, ids: list[int], by_id: int, barrier, stop, results) -> None:
    """One posting process: connect, post one donation off the clock (`warm_up`: the process then is
    what a worker that has served a request is, its modules imported, its connections to the
    database and Redis open, the trigger functions compiled in its database session), wait for the
    others, post its donations one after another (until `stop` is set, once it has posted one, when
    given)."""
    postings = Postings()
    try:
        by = User.objects.get(pk=by_id)
        warmed = Postings()
        _post(warm_up, by, warmed)
        postings.errors += warmed.errors
        barrier.wait(timeout=WAIT_SECONDS)
        for n, pk in enumerate(ids):
            if stop is not None and n and stop.is_set():
                break
            _post(pk, by, postings)
    except Exception as error:  # noqa: BLE001  the process's own failure is an error too
        postings.errors.append(f"{type(error).__name__}: {error}"[:200])
    finally:
        connections.close_all()
        results.put((postings.latencies, postings.errors, time.monotonic()))


def _importer(data: bytes, by_id: int, started, done, results) -> None:
    """The side import: read, check and write the file in a transaction rolled back at the end."""
    try:
        by = User.objects.get(pk=by_id)
        started.set()
        seconds, outcome = timed_in_rollback(
            lambda: donations_import(uploaded=io.BytesIO(data), by=by, dry_run=False, name="bench.xlsx")
        )
        results.put((seconds, outcome.ok, outcome.rows, outcome.error_messages()[:3]))
    except Exception as error:  # noqa: BLE001  reported by the measure
        results.put((0.0, False, 0, [f"{type(error).__name__}: {error}"[:200]]))
    finally:
        done.set()
        connections.close_all()


def posting_processes(ids: list[int], *, by: User, processes: int = PROCESSES, side=None) -> Postings:
    """`processes` processes posting the donations `ids` (the first `processes` of them one each, off
    the clock, to warm the process up; the others dealt out in turn); with `side` (a function given
    the event the postings stop at, which starts what runs beside them and returns once it has
    started), they post until that event is set."""
    connections.close_all()  # no connection is shared with the forked processes
    barrier, results = _fork.Barrier(processes + 1), _fork.Queue()
    stop = _fork.Event() if side else None
    warm_ups, ids = ids[:processes], ids[processes:]
    workers = [
        _fork.Process(target=_poster, args=(warm_ups[n], ids[n::processes], by.pk, barrier, stop, results))
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    if side:
        side(stop)
    barrier.wait(timeout=WAIT_SECONDS)
    started = time.monotonic()
    postings, ended = Postings(), started
    for _ in workers:
        latencies, errors, finished = results.get(timeout=WAIT_SECONDS)
        postings.latencies += latencies
        postings.errors += errors
        ended = max(ended, finished)
    for worker in workers:
        worker.join(timeout=30)
    postings.seconds = ended - started
    return postings


def _rows(
    label: str, postings: Postings, *, processes: int, target: bool, baseline: Postings | None, note: str
) -> list[Measure]:
    latencies = postings.latencies or [0.0]
    distinct = sorted(set(postings.errors))[:3]
    return [
        Measure(
            f"postings: {processes} processes {label}, throughput",
            round(postings.rate, 1),
            "postings/s",
            target=MIN_POSTINGS_PER_S if target else None,
            bound="min",
            baseline=round(baseline.rate, 1) if baseline else None,
            baseline_label=f"{processes} processes alone, same run" if baseline else "",
            note=f"{len(postings.latencies)} postings in {postings.seconds:.2f} s; {note}",
        ),
        Measure(
            f"postings: {processes} processes {label}, p95",
            round(percentile(latencies, 95), 1),
            "ms",
            note=f"p50 {percentile(latencies, 50):.1f} ms, max {max(latencies):.1f} ms",
        ),
        Measure(
            f"postings: {processes} processes {label}, errors",
            len(postings.errors),
            "errors",
            target=0 if target else None,
            note="; ".join(distinct),
        ),
    ]


def postings_measures(
    fund: Fund,
    import_fund: Fund,
    *,
    by: User,
    processes: int = PROCESSES,
    per_process: int = PER_PROCESS_ALONE,
    per_process_max: int = PER_PROCESS_MAX,
    import_rows: int = IMPORT_ROWS,
) -> list[Measure]:
    """50 processes posting alone, then while an import of `import_rows` donations to `import_fund` runs."""
    alone = posting_processes(
        pending_donations(fund, count=processes * (per_process + 1), by=by), by=by, processes=processes
    )
    data = donations_xlsx(donation_lines(rows=import_rows, fund_code=import_fund.code))
    ids = pending_donations(fund, count=processes * (per_process_max + 1), by=by)
    imported, importers = _fork.Queue(), []

    def side(stop):
        started = _fork.Event()
        importers.append(_fork.Process(target=_importer, args=(data, by.pk, started, stop, imported)))
        importers[0].start()
        started.wait(timeout=WAIT_SECONDS)

    during = posting_processes(ids, by=by, processes=processes, side=side)
    import_s, import_ok, import_count, import_errors = imported.get(timeout=WAIT_SECONDS)
    importers[0].join(timeout=30)
    vacuum_after_rollback(*WRITTEN)
    if not import_ok:
        raise RuntimeError(f"the side import was refused: {import_errors}")
    size = f"{import_rows:,}".replace(",", ".")
    ran_out = (
        " (a process ran out of pending donations first)"
        if len(during.latencies) >= len(ids) - processes
        else ""
    )
    return [
        *_rows("alone", alone, processes=processes, target=False, baseline=None, note=f"to {fund.code}"),
        *_rows(
            f"while a {size}-row import runs",
            during,
            processes=processes,
            target=True,
            baseline=alone,
            note=f"to {fund.code}; the import to {import_fund.code} took {import_s:.1f} s "
            f"({import_count} rows, rolled back){ran_out}",
        ),
    ]


def province_staff() -> User:
    user = User.objects.filter(username=STAFF_USERNAME).first()
    if user is None:
        raise RuntimeError(
            "The province's staff account is missing: run `manage.py bench --only scale` once."
        )
    return user


def _import_fund(fund: Fund) -> Fund:
    other = (
        Fund.objects.filter(unit__path__startswith=fund.unit.path)
        .exclude(pk=fund.pk)
        .order_by("code")
        .first()
    )
    if other is None:
        raise RuntimeError(f"The province has no fund beside {fund.code} to import into.")
    return other


@benchmark("postings")
def bench_postings() -> list[Measure]:
    fund = province_fund()
    return postings_measures(fund, _import_fund(fund), by=province_staff())


def _steady_poster(ids: list[int], by_id: int, stop, results) -> None:
    """A posting each second (the appeal night) until `stop` is set or the donations run out."""
    postings = Postings()
    try:
        by = User.objects.get(pk=by_id)
        following = time.monotonic()
        for pk in ids:
            if stop.is_set():
                break
            _post(pk, by, postings)
            following += 1
            stop.wait(max(following - time.monotonic(), 0))
    except Exception as error:  # noqa: BLE001
        postings.errors.append(f"{type(error).__name__}: {error}"[:200])
    finally:
        connections.close_all()
        results.put((postings.latencies, postings.errors))


def appeal_night_measures(fund: Fund, *, by: User, seconds: int = WRK_SECONDS) -> list[Measure]:
    """wrk on the bare view, the fund's home page and its campaign page behind gunicorn while a side
    process posts a donation to the fund each second: each page's req/s against the bare view's and its
    p99 (target 500 ms)."""
    pages = {page.label: page.path for page in public_pages(fund) if page.label in ("home", "campaign")}
    paths = {"bare view": "/bench/bare/", **pages}
    ids = pending_donations(fund, count=len(paths) * (seconds + 15) + 30, by=by)
    connections.close_all()
    stop, posted = _fork.Event(), _fork.Queue()
    results = {}
    server_db = {"DATABASE_URL": database_url()} if connection.vendor == "postgresql" else {}
    with gunicorn(collect_static=True, **server_db) as base:
        poster = _fork.Process(target=_steady_poster, args=(ids, by.pk, stop, posted))
        poster.start()
        try:
            for label, path in paths.items():
                for _ in range(20):  # both workers' connections and caches
                    urllib.request.urlopen(base + path, timeout=30).read()  # noqa: S310  local server
                results[label] = wrk_run(base + path, seconds=seconds)
        finally:
            stop.set()
            latencies, errors = posted.get(timeout=WAIT_SECONDS)
            poster.join(timeout=30)
    bare = results.pop("bare view")
    during = f"{len(latencies)} postings meanwhile, {len(errors)} errors"
    rows = [
        Measure(
            "appeal night: bare view throughput",
            bare["rps"],
            "req/s",
            note=f"p99 {bare['p99']:.1f} ms; {during}; wrk -t2 -c16 -d{seconds}s",
        )
    ]
    for label, row in results.items():
        note = (
            f"{row['rps']:.0f} req/s, {row['rps'] / bare['rps']:.2f}x the bare view; {row['errors']} non-2xx"
        )
        rows += [
            Measure(
                f"appeal night: {label} throughput",
                row["rps"],
                "req/s",
                baseline=bare["rps"],
                baseline_label="the bare view, same run",
                bound="min",
                note=f"{row['errors']} non-2xx; {during}",
            ),
            Measure(f"appeal night: {label} p99", row["p99"], "ms", target=APPEAL_P99_MS, note=note),
        ]
    rows.append(
        Measure(
            "appeal night: posting errors",
            len(errors),
            "errors",
            target=0,
            note="; ".join(sorted(set(errors))[:3]),
        )
    )
    return rows


@benchmark("appeal_night")
def bench_appeal_night() -> list[Measure]:
    fund = province_fund()
    return appeal_night_measures(fund, by=province_staff())
