import json
import os
import platform
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from fund_portal.bench import REGISTRY


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

    def handle(self, *args, **options):
        autodiscover_modules("benchmarks")
        names = [name for name, _func in REGISTRY]
        unknown = sorted(set(options["only"]) - set(names))
        if unknown:
            raise CommandError(
                _("Unknown benchmark: %(names)s. Known: %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(names)}
            )
        rows = []
        for name, func in REGISTRY:
            if options["only"] and name not in options["only"]:
                continue
            self.stderr.write(_("running %(name)s ...") % {"name": name})
            rows += [m.as_row() for m in func()]
        self.print_table(rows)
        result = {
            "ran_at": timezone.now().isoformat(),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "database": connection.vendor,
            },
            "rows": rows,
        }
        Path(options["out"]).write_text(
            json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        failed = [r for r in rows if r["passed"] is False]
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
