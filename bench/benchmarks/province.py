"""Benchmarks of a province under today's two-level tree (issue 17, Speed): the province staff's
children list, the province's figures and report PDF, and every commune's report of the province built
on a real Celery worker pool, each with its baseline measured in the same run.

The data set (`bench.province_data`): the national tree, Tỉnh Lào Cai (99 communes, 5 villages each)
holding 100,000 children and 5,000,000 posted donations (its fund and 20 communes' funds). The first
run loads it (COPY), the next ones find it; the load times are rows of the first run. On the national
data set (`seed_demo --national`) the province's own children, funds and donations are measured.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.measure import Measure, benchmark, percentile, timed
from bench.province_data import Prepared, province_prepare
from bench.report_builds import builds_on_pool, builds_one_at_a_time, reports_clear
from children.admin.registry import ChildAdmin
from children.models import Child
from children.selectors.registry import children_list, children_page
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.paginators import CappedCountPaginator
from fund_portal.pdf import warm_up
from fund_portal.startup import freeze_loaded
from reports.figures.compute import compute_figures
from reports.models import ReportKind
from reports.selectors import units_required
from reports.services.reports import report_build

LIST_TARGET_MS = 50
REPORT_TARGET_S = 5
POOL_TARGET_S = 120
PAGE_SIZE = 30  # the portal list's page (`children_page`)
LIST_REPEAT = 30
FIGURES_REPEAT = 3
POOL_TIMEOUT_S = 900
#: The kinds of a province's own report and of its communes' (two levels), by cadence.
PROVINCE_KINDS = {"annual": "tinh-bao-cao-nam", "semiannual": "tinh-so-ket-6-thang"}
COMMUNE_KIND = "xa-tinh-bao-cao-nam"


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _ok(response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request['PATH_INFO']} answered {response.status_code}")


def _load_rows(prepared: Prepared) -> list[Measure]:
    return [
        Measure(f"province: load {label}", round(seconds, 1), "s", note="COPY; the first run only")
        for label, seconds in prepared.loads
    ]


def _pages(last: int) -> list[tuple[str, int]]:
    """Pages 1, 20, 50 and the last one, those the list has."""
    pages = [("page 1", 1), ("page 20", 20), ("page 50", 50), (f"last page ({_n(last)})", last)]
    return [(label, page) for label, page in pages if page <= last]


def _page_measures(
    staff, *, name: str, url: str, pages: list[tuple[str, dict, list[int]]], note: str, repeat: int
) -> list[Measure]:
    """Each page (label, query parameters, the ids of its rows) opened `repeat` times by the staff
    through the whole stack: p95 (the value), p50 and max; the baseline, the same rows selected by
    primary key without scope."""
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost")
    client.force_login(staff)
    freeze_loaded()  # as the web process does once it has loaded (config.wsgi)
    rows = []
    for label, params, ids in pages:
        _ok(client.get(url, params))
        times = timed(lambda params=params: _ok(client.get(url, params)), repeat=repeat)
        bare = timed(
            lambda ids=ids: list(Child.objects.select_related("commune", "village").filter(pk__in=ids)),
            repeat=repeat,
        )
        rows.append(
            Measure(
                f"province: staff {name} {label} p95",
                round(percentile(times, 95), 1),
                "ms",
                target=LIST_TARGET_MS,
                baseline=round(percentile(bare, 95), 2),
                baseline_label="the same rows by primary key, no scope, p95",
                note=f"{note}, {len(ids)} rows; p50 {percentile(times, 50):.1f} ms, max {max(times):.1f} ms "
                f"(bare SELECT max {max(bare):.2f} ms); {repeat} requests",
            )
        )
    return rows


def children_list_measures(prepared: Prepared, *, repeat: int = LIST_REPEAT) -> list[Measure]:
    """The portal's children list of the province's staff (cursor pages in name order)."""
    staff = prepared.staff
    total = Child.objects.filter(commune__path__startswith=prepared.province.path, status="active").count()
    ordered = children_list(user=staff).values_list("pk", flat=True)
    pages = []
    for label, page in _pages(max(math.ceil(total / PAGE_SIZE), 1)):
        cursor = "" if page == 1 else str(ordered[(page - 1) * PAGE_SIZE - 1])
        rows, _next = children_page(children=children_list(user=staff), after=cursor)
        pages.append((label, {"after": cursor} if cursor else {}, [child.pk for child in rows]))
    note = f"{_n(total)} children in {prepared.province.name}"
    url = reverse("children:list")
    return _page_measures(
        staff, name="children list /portal/children/", url=url, pages=pages, note=note, repeat=repeat
    )


def admin_list_measures(prepared: Prepared, *, repeat: int = LIST_REPEAT) -> list[Measure]:
    """The admin's changelist of children for the province's staff (its paginator counts at most
    CappedCountPaginator.CAP + 1 rows and reaches a page by the ordering's key; its last page is the
    cap's)."""
    visible = Child.objects.visible_to(prepared.staff).order_by("name_folded", "id")
    total = min(visible.count(), CappedCountPaginator.CAP + 1)
    per_page = ChildAdmin.list_per_page
    pages = []
    for label, page in _pages(max(math.ceil(total / per_page), 1)):
        offset = (page - 1) * per_page
        pages.append(
            (
                label,
                {"p": page},
                # The rows the page shows: the last one holds what is left of the cap's CAP + 1.
                list(visible.values_list("pk", flat=True)[offset : min(offset + per_page, total)]),
            )
        )
    url = reverse("admin:children_child_changelist")
    return _page_measures(
        prepared.staff,
        name="children admin changelist",
        url=url,
        pages=pages,
        note=f"{_n(total)} children",
        repeat=repeat,
    )


def _figures(prepared: Prepared, year: int) -> list[Measure]:
    """The province's figures, then its report built with the PDF (`report_build`), each period; the
    figures of one commune (the one with a fund and the most donations) as the baseline."""
    province = prepared.province
    warm = warm_up()  # as each Celery worker process does when it starts
    rows = [
        Measure(
            "province: PDF warm-up of the process, once",
            round(warm, 2),
            "s",
            note="what each worker process pays at its start (fund_portal.pdf.warm_up)",
        )
    ]
    commune = (
        AdministrativeUnit.objects.filter(
            path__startswith=province.path, level=UnitLevel.COMMUNE, funds__isnull=False
        )
        .order_by("path")
        .first()
    ) or AdministrativeUnit.objects.filter(path__startswith=province.path, level=UnitLevel.COMMUNE).first()
    for cadence, code in PROVINCE_KINDS.items():
        kind = ReportKind.objects.get(code=code)
        start, end, _due = kind.period(year)
        baseline = [
            ms / 1000
            for ms in timed(
                lambda start=start, end=end: compute_figures(unit=commune, start=start, end=end, year=year),
                repeat=FIGURES_REPEAT,
            )
        ]
        figures_s, builds_s = [], []
        figures = {}
        for _ in range(FIGURES_REPEAT):
            started = time.perf_counter()
            figures = compute_figures(unit=province, start=start, end=end, year=year)
            figures_s.append(time.perf_counter() - started)
            reports_clear([(kind, province.pk)], year)
            started = time.perf_counter()
            report_build(kind=kind, unit=province, year=year, by=None, render=True)
            builds_s.append(time.perf_counter() - started)
        label = f"{cadence} {start:%d/%m}-{end:%d/%m/%Y}"
        note = (
            f"{province.name}: {_n(figures['children']['total'])} "
            f"children, {_n(figures['money']['count'])} donations in the period; "
            f"max of {FIGURES_REPEAT}, runs " + ", ".join(f"{s:.2f}" for s in figures_s)
        )
        rows.append(
            Measure(
                f"province: figures, {label}",
                round(max(figures_s), 2),
                "s",
                baseline=round(max(baseline), 2),
                baseline_label=f"the figures of {commune.name}, max of {FIGURES_REPEAT}",
                note=note,
            )
        )
        rows.append(
            Measure(
                f"province: figures + PDF (report_build, render=True), {label}",
                round(max(builds_s), 2),
                "s",
                target=REPORT_TARGET_S,
                baseline=round(max(baseline), 2),
                baseline_label=f"the figures of {commune.name}, max of {FIGURES_REPEAT}",
                note=f"max of {FIGURES_REPEAT}, runs " + ", ".join(f"{s:.2f}" for s in builds_s),
            )
        )
    return rows


def _pool(prepared: Prepared, year: int) -> list[Measure]:
    """Every commune's report of the province (figures and PDF) built by `report_build_task` on a real
    worker pool (one process per core), against the same builds one at a time in this process."""
    kind = ReportKind.objects.get(code=COMMUNE_KIND)
    jobs = [
        (kind, unit_id)
        for unit_id in units_required(kind=kind, under=prepared.province).values_list("pk", flat=True)
    ]
    reports_clear(jobs, year)
    each = builds_one_at_a_time(jobs, year)
    reports_clear(jobs, year)
    run = builds_on_pool(jobs, year, timeout_s=POOL_TIMEOUT_S, poll_s=0.2)
    note = (
        f"{len(jobs)} communes of {prepared.province.name}, {run.built} built; prefork pool of "
        f"{run.concurrency} processes on {run.concurrency} cores, warmed up at start (not counted)"
    )
    return [
        Measure(
            "province: every commune's annual report on the worker pool",
            round(run.seconds, 1),
            "s",
            target=POOL_TARGET_S if run.built == len(jobs) else 0,
            baseline=round(sum(each) / 1000, 1),
            baseline_label="the same builds one at a time in this process",
            note=note,
        ),
        Measure(
            "province: one commune's report built, p95 (one at a time)",
            round(percentile(each, 95), 1),
            "ms",
            note=f"max {max(each):.0f} ms, median {percentile(each, 50):.0f} ms over {len(each)} communes",
        ),
    ]


@benchmark("province")
def bench_province() -> list[Measure]:
    prepared = province_prepare()
    year = timezone.localdate().year
    return [
        *_load_rows(prepared),
        *children_list_measures(prepared),
        *admin_list_measures(prepared),
        *_figures(prepared, year),
        *_pool(prepared, year),
    ]
