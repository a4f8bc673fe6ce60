"""Benchmarks of the reports (issue 6): a district's annual report (figures, then PDF), the province's
figures, the peak memory of rendering, and the PDF's pages per second against plain pages.

On the data of `seed_demo --children 1000000 --donations 5000000` the demo district (Triệu Sơn, 36
communes) holds about 58,000 children and all 5,000,000 donations are in its fund, about 1,600,000 of
them in the annual period: more than the issue's 50,000 children and 500,000 donations.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.measure import Measure, benchmark
from fund_portal.models import AdministrativeUnit, UnitLevel
from reports.figures.compute import compute_figures
from reports.models import Cadence, Report, ReportKind

DISTRICT_TARGET_S = 5.0
PROVINCE_TARGET_S = 10.0
RSS_TARGET_MB = 500
ROOT = Path(__file__).resolve().parents[2]  # the repository: the render process imports `bench` from it

RENDER_SCRIPT = """
import json, sys, time
import django

django.setup()
from django.utils import timezone
from bench.measure import peak_rss_mb
from fund_portal.pdf import html_to_pdf, warm_up
from reports.documents.pdf import report_pdf
from reports.models import Report
report = Report.objects.select_related("kind", "unit").get(pk=int(sys.argv[1]))
report.figures = json.load(open(sys.argv[2]))
warm_up_seconds = warm_up()  # what each Celery worker process does as it starts
started = time.perf_counter()
pdf = report_pdf(report=report)
report_seconds = time.perf_counter() - started
from pypdf import PdfReader
import io
pages = len(PdfReader(io.BytesIO(pdf)).pages)
body = "".join(f'<p style="break-after: page">Trang {i}: Quỹ Bảo trợ trẻ em huyện.</p>' for i in range(pages))
html = f'<html><head><link rel="stylesheet" href="css/pdf-official.css"></head><body>{body}</body></html>'
started = time.perf_counter()
plain = html_to_pdf(html)
plain_seconds = time.perf_counter() - started
print(json.dumps({"pages": pages, "report_seconds": report_seconds, "plain_seconds": plain_seconds,
                  "warm_up_seconds": warm_up_seconds,
                  "plain_pages": len(PdfReader(io.BytesIO(plain)).pages), "rss_mb": peak_rss_mb()}))
"""


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _district() -> AdministrativeUnit | None:
    unit = AdministrativeUnit.objects.filter(code="397", level=UnitLevel.DISTRICT).first()
    return unit or AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT).order_by("path").first()


@benchmark("reports")
def bench_reports() -> list[Measure]:
    from fund_portal.demo import seed_demo

    seed_demo()
    district = _district()
    kind = ReportKind.objects.get(cadence=Cadence.ANNUAL, submitter_level=UnitLevel.DISTRICT, is_active=True)
    year = time.localtime().tm_year
    start, end, due = kind.period(year)
    from children.models import Child

    children = Child.objects.filter(commune__path__startswith=district.path).count()
    communes = AdministrativeUnit.objects.filter(
        path__startswith=district.path, level=UnitLevel.COMMUNE
    ).count()
    started = time.perf_counter()
    figures = compute_figures(unit=district, start=start, end=end, year=year)
    figures_s = time.perf_counter() - started
    note = (
        f"{district.name}: {communes} communes, {_n(children)} children, "
        f"{_n(figures['money']['count'])} donations in the period"
    )

    report, _created = Report.objects.get_or_create(
        kind=kind,
        unit=district,
        year=year,
        defaults={"period_start": start, "period_end": end, "due_on": due},
    )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(figures, handle)
    try:
        out = subprocess.run(
            [sys.executable, "-c", RENDER_SCRIPT, str(report.pk), handle.name],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
            },
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(handle.name)
    render = json.loads(out.stdout.strip().splitlines()[-1])

    province = (
        AdministrativeUnit.objects.filter(
            level=UnitLevel.PROVINCE,
            pk__in=[AdministrativeUnit.objects.filter(path=district.path.split("/")[0] + "/").values("pk")],
        ).first()
        or AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).first()
    )
    total_children = Child.objects.filter(commune__path__startswith=province.path).count()
    started = time.perf_counter()
    province_figures = compute_figures(unit=province, start=start, end=end, year=year)
    province_s = time.perf_counter() - started
    province_note = (
        f"{province.name}: {_n(total_children)} children, "
        f"{_n(province_figures['money']['count'])} donations in the period"
    )

    report_rate = render["pages"] / render["report_seconds"]
    plain_rate = render["plain_pages"] / render["plain_seconds"]
    return [
        Measure("reports: district annual figures", round(figures_s, 2), "s", note=note),
        Measure(
            "reports: district annual figures + PDF",
            round(figures_s + render["report_seconds"], 2),
            "s",
            target=DISTRICT_TARGET_S,
            note=f"{render['pages']} pages, {render['report_seconds']:.2f} s of them the PDF, "
            "in a process warmed up as a Celery worker's is",
        ),
        Measure(
            "reports: a worker process's PDF warm-up, once as it starts",
            round(render["warm_up_seconds"], 2),
            "s",
            note="importing WeasyPrint, fonts, stylesheet, one small page (fund_portal.pdf.warm_up)",
        ),
        Measure(
            "reports: province figures",
            round(province_s, 2),
            "s",
            target=PROVINCE_TARGET_S,
            note=province_note,
        ),
        Measure(
            "reports: peak RSS of the rendering process",
            round(render["rss_mb"], 1),
            "MB",
            target=RSS_TARGET_MB,
            note="a fresh process: Django, WeasyPrint, the report and the plain pages (its VmHWM)",
        ),
        Measure(
            "reports: PDF pages per second",
            round(report_rate, 1),
            "pages/s",
            bound="min",
            baseline=round(plain_rate, 1),
            baseline_label=f"WeasyPrint, {render['plain_pages']} plain one-paragraph pages, same run",
        ),
    ]
