"""`manage.py bench` (`make bench`): every benchmark, or those named with `--only NAME`, as one table
and one JSON file.

The areas (`AREAS`, modules of `bench/benchmarks/`) and the benchmarks each registers, in the table's
order:

- `core`: `units`, `portal`, and `public_load` (the public site behind gunicorn; `public`);
- `donations`: `donation_list`, `receipts`, `donation_import` (with the physical limit: a bare COPY
  into an unindexed table), `statement_import`, `bank_feed`;
- `children`: `children`, `children_filters`, `children_duplicates`, `children_import`;
- `reports`: `reports`; `province`: `province`; `scale`: `scale` (its first run loads the province
  data set that the areas below need);
- `public_pages`: `public_pages` (issue 20: home, the campaign with 1,000,000 donations, honour roll,
  needs, transparency's heaviest month, cold and warm against the bare view);
- `postings`: `postings` (50 posting processes, alone and beside a 100,000-row import) and
  `appeal_night` (wrk on home and campaign while a posting arrives each second). They leave the
  donations they post in the province's fund;
- `priority`: `priority` (the priority of every child recomputed in batches on the long queue: the
  longest transaction, and the receipts' latency on their own queue meanwhile);
- `national`: `national` (on the national-shape data set, `seed_demo --national`: every commune's
  report of one deadline on the worker pool, the largest province's figures; a row saying it was not
  measured otherwise).
"""

import importlib
import json
import os
import platform
import traceback
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from bench.measure import REGISTRY

#: The areas whose measures run, in the table's order; importing one registers its measures.
AREAS = (
    "core",
    "donations",
    "children",
    "reports",
    "province",
    "scale",
    "public_pages",
    "postings",
    "priority",
    "national",
)


class Command(BaseCommand):
    help = _("Run the benchmarks, print one table and write bench-results.json at the repository root.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="NAME",
            help=_("Run only this benchmark (repeatable)."),
        )
        parser.add_argument(
            "--out",
            default=str(settings.BASE_DIR / "bench-results.json"),
            help=_("Where to write the results (JSON)."),
        )
        parser.add_argument(
            "--markdown",
            metavar="FILE",
            help=_("Also write the table and the machine as Markdown (docs/benchmarks.md)."),
        )

    def handle(self, *args, **options):
        for area in AREAS:
            importlib.import_module(f"bench.benchmarks.{area}")
        names = [name for name, _func in REGISTRY]
        unknown = sorted(set(options["only"]) - set(names))
        if unknown:
            raise CommandError(
                _("Unknown benchmark: %(names)s. Known: %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(names)}
            )
        rows, stopped = [], {}
        for name, func in REGISTRY:
            if options["only"] and name not in options["only"]:
                continue
            self.stderr.write(_("running %(name)s ...") % {"name": name})
            # A benchmark that stops (a data set it needs is missing, a page answers an error) is told
            # with its traceback and the others still run: a whole run is long at national size.
            try:
                rows += [m.as_row() for m in func()]
            except Exception as error:  # noqa: BLE001  each benchmark's failure is reported, not raised
                self.stderr.write("".join(traceback.format_exception(error)))
                stopped[name] = f"{type(error).__name__}: {error}"
        self.print_table(rows)
        result = {
            "ran_at": timezone.now().isoformat(),
            "machine": machine(),
            "data": data_set(),
            "rows": rows,
            "stopped": stopped,
        }
        Path(options["out"]).write_text(
            json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        if options["markdown"]:
            Path(options["markdown"]).write_text(markdown(result), encoding="utf-8")
        failed = [r for r in rows if r["passed"] is False]
        if stopped:
            raise CommandError(
                _("%(n)d benchmark(s) stopped: %(names)s.") % {"n": len(stopped), "names": ", ".join(stopped)}
            )
        if failed:
            raise CommandError(_("%(n)d measure(s) missed their target.") % {"n": len(failed)})

    def print_table(self, rows):
        header = ("measure", "value", "unit", "target", "baseline", "ratio", "result")
        lines = [header]
        for r in rows:
            target = "" if r["target"] is None else f"{'≤' if r['bound'] == 'max' else '≥'} {r['target']:g}"
            baseline = "" if r["baseline"] is None else f"{r['baseline']:g} ({r['baseline_label']})"
            ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
            verdict = {True: "pass", False: "FAIL", None: "-"}[r["passed"]]
            lines.append((r["measure"], f"{r['value']:g}", r["unit"], target, baseline, ratio, verdict))
        widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
        for line in lines:
            self.stdout.write("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)))


def machine() -> dict:
    """What the figures were measured on."""
    import django

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        memory_kb = 0
    with connection.cursor() as cursor:
        version_sql = (
            "SELECT version()"
            if connection.vendor == "postgresql"
            else "SELECT 'SQLite ' || sqlite_version()"
        )
        cursor.execute(version_sql)
        database = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database.split(",")[0],
    }


def data_set() -> dict:
    """How much data the figures were measured over (estimates from the planner on PostgreSQL)."""
    from children.models import Child, Support
    from donations.models import Donation, LedgerEntry

    counts = {}
    for label, model in (
        ("children", Child),
        ("supports", Support),
        ("donations", Donation),
        ("ledger entries", LedgerEntry),
    ):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [model._meta.db_table]
                )
                row = cursor.fetchone()
            counts[label] = max(int(row[0]), 0) if row else 0
        else:
            counts[label] = model.objects.count()
    return counts


def markdown(result: dict) -> str:
    m = result["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Measured {result['ran_at'][:16].replace('T', ' ')} UTC with "
        '`make bench BENCH_ARGS="--markdown docs/benchmarks.md"`.',
        "",
        f"- Machine: {m['cpu'] or 'unknown CPU'}, {m['cpus']} cores, {m['memory_gb']} GB, {m['platform']}",
        f"- Python {m['python']}, Django {m['django']}, {m['database']}",
        "- Data (PostgreSQL's estimates): "
        + ", ".join(f"{n:,} {label}".replace(",", ".") for label, n in result["data"].items()),
        "",
        "| measure | value | unit | target | baseline (same run) | ratio | result |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in result["rows"]:
        target = "" if r["target"] is None else f"{'≤' if r['bound'] == 'max' else '≥'} {r['target']:g}"
        baseline = "" if r["baseline"] is None else f"{r['baseline']:g} ({r['baseline_label']})"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        verdict = {True: "pass", False: "**FAIL**", None: ""}[r["passed"]]
        measure = r["measure"] + (f" ({r['note']})" if r.get("note") else "")
        lines.append(
            f"| {measure} | {r['value']:g} | {r['unit']} | {target} | {baseline} | {ratio} | {verdict} |"
        )
    return "\n".join(lines) + "\n"
