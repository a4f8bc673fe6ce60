"""The reports the province's and the national benchmarks build (`bench.report_builds`): built one at a
time with their PDFs, counted from a moment on, and cleared (their files too) before the next build."""

import datetime as dt

import pytest
from django.utils import timezone

from bench.report_builds import builds_one_at_a_time, reports_built, reports_clear
from reports.models import Report, ReportKind

pytestmark = pytest.mark.django_db

YEAR = 2026


def test_reports_are_built_one_at_a_time_counted_and_cleared(tree):
    kind = ReportKind.objects.get(code="xa-bao-cao-nam")
    jobs = [(kind, tree["a"].pk), (kind, tree["b"].pk)]
    since = timezone.now()

    each = builds_one_at_a_time(jobs, YEAR)

    assert len(each) == 2 and all(ms > 0 for ms in each)
    reports = Report.objects.filter(kind=kind, year=YEAR).order_by("unit__code")
    assert [r.unit_id for r in reports] == [tree["a"].pk, tree["b"].pk]
    files = [r.pdf for r in reports]
    assert all(f and f.storage.exists(f.name) for f in files)
    assert reports_built(jobs, YEAR, since) == 2
    assert reports_built(jobs[:1], YEAR, since) == 1
    assert reports_built(jobs, YEAR, timezone.now() + dt.timedelta(seconds=1)) == 0  # built before

    reports_clear([(kind, tree["c"].pk)], YEAR)  # another unit's: nothing of theirs goes
    assert reports.count() == 2
    reports_clear(jobs, YEAR)
    assert not Report.objects.filter(kind=kind, year=YEAR).exists()
    assert not any(f.storage.exists(f.name) for f in files)
