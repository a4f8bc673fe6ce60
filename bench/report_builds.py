"""Reports built for a benchmark, shared by the province's and the national rows: the same builds one
at a time in this process (the baseline) and on a real Celery worker pool, enqueued one task each as
the calendar's daily step enqueues them (`reports_calendar_run`)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.utils import timezone

from bench.measure import timed
from reports.models import Report, ReportKind
from reports.services.reports import report_build_and_notify

#: One report to build: its kind and its unit's id.
Job = tuple[ReportKind, int]


def _reports(jobs: list[Job], year: int):
    by_kind: dict[int, list[int]] = {}
    for kind, unit_id in jobs:
        by_kind.setdefault(kind.pk, []).append(unit_id)
    for kind_id, unit_ids in by_kind.items():
        yield Report.objects.filter(kind_id=kind_id, unit_id__in=unit_ids, year=year)


def reports_clear(jobs: list[Job], year: int) -> None:
    """No report of these kinds and units for the year (nor their PDFs): the next build is a fresh one."""
    for reports in _reports(jobs, year):
        for report in reports.exclude(pdf=""):
            report.pdf.delete(save=False)
        reports.delete()


def reports_built(jobs: list[Job], year: int, since: dt.datetime) -> int:
    """How many of these reports have been built (with their PDF) since `since`."""
    return sum(
        reports.filter(built_at__gte=since).exclude(pdf="").count() for reports in _reports(jobs, year)
    )


def builds_one_at_a_time(jobs: list[Job], year: int) -> list[float]:
    """What the task does, one build after another in this process: each build's milliseconds."""
    each: list[float] = []
    for kind, unit_id in jobs:
        each += timed(
            lambda kind=kind, unit_id=unit_id: report_build_and_notify(
                kind_id=kind.pk, unit_id=unit_id, year=year
            )
        )
    return each


@dataclass(frozen=True)
class PoolRun:
    seconds: float  # until every job was built, or the timeout
    built: int
    concurrency: int
    counted_s: float | None  # until the first `counted` were built; None if they were not


def builds_on_pool(
    jobs: list[Job],
    year: int,
    *,
    timeout_s: float,
    poll_s: float = 1.0,
    counted: int | None = None,
    queues: str | None = None,
    concurrency: int | None = None,
    **env: str,
) -> PoolRun:
    """Every job enqueued as one `report_build_task` and built by a worker started for it (`queues`,
    `concurrency` and `env` as `bench.worker.celery_worker` takes them), watched until all are built."""
    from bench.worker import celery_worker
    from reports.tasks import report_build_task

    counted = min(counted or len(jobs), len(jobs))
    with celery_worker(queues=queues, concurrency=concurrency, **env) as started_with:
        since = timezone.now()
        started = time.perf_counter()
        for kind, unit_id in jobs:
            report_build_task.delay(kind_id=kind.pk, unit_id=unit_id, year=year)
        built, counted_s = 0, None
        while built < len(jobs) and time.perf_counter() - started < timeout_s:
            time.sleep(poll_s)
            built = reports_built(jobs, year, since)
            if counted_s is None and built >= counted:
                counted_s = time.perf_counter() - started
        return PoolRun(time.perf_counter() - started, built, started_with, counted_s)
