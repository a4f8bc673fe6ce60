"""Benchmarks of the portal's core: loading the administrative tree and serving a scoped portal page."""

import json

from django.conf import settings
from django.test import Client

from bench.benchmarks import public  # noqa: F401  registers "public_load"
from bench.measure import Measure, benchmark, percentile, timed
from bench.rollback import rolled_back
from fund_portal.demo import seed_demo
from fund_portal.models import AdministrativeUnit, User
from fund_portal.services import DATA_DIR, unit_save, units_load


def _in_rollback(func) -> None:
    with rolled_back():
        func()


@benchmark("units")
def bench_units_load() -> list[Measure]:
    """Load Thanh Hóa's three-level tree (576 units) as new units: bulk loader vs one unit at a time."""
    source = json.loads((DATA_DIR / "units_38_legacy.json").read_text(encoding="utf-8"))
    # Codes of their own, so the measure runs beside the demo data and is rolled back.
    rows = [
        {**r, "code": f"B{r['code']}", "parent": f"B{r['parent']}" if r["parent"] else None} for r in source
    ]

    def one_by_one():
        by_code = {}
        for row in rows:
            unit = AdministrativeUnit(
                code=row["code"], name=row["name"], level=row["level"], parent=by_code.get(row["parent"])
            )
            by_code[row["code"]] = unit_save(unit=unit)

    baseline = min(timed(lambda: _in_rollback(one_by_one), repeat=3))
    value = min(timed(lambda: _in_rollback(lambda: units_load(rows=rows)), repeat=3))
    return [
        Measure(
            "units: load a 576-unit tree",
            round(value, 1),
            "ms",
            target=1000,
            baseline=round(baseline, 1),
            baseline_label="unit_save one unit at a time",
        )
    ]


@benchmark("portal")
def bench_portal_dashboard() -> list[Measure]:
    """A commune officer's portal dashboard through the whole Django stack (in-process test client)."""
    seed_demo()
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost")
    client.force_login(User.objects.get(username="canbo.danly"))

    def dashboard():
        response = client.get("/portal/")
        if response.status_code != 200:
            raise RuntimeError(f"/portal/ answered {response.status_code}")

    dashboard()
    times = timed(dashboard, repeat=200)
    return [
        Measure("portal: officer dashboard p50", round(percentile(times, 50), 2), "ms", target=50),
        Measure("portal: officer dashboard p95", round(percentile(times, 95), 2), "ms", target=100),
    ]
