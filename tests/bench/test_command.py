"""The `bench` command (installed only by `bench.settings`, so the tests call the command object)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bench.management.commands.bench import Command as BenchCommand

pytestmark = pytest.mark.django_db


def call(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


def test_bench_prints_a_table_and_writes_json(tmp_path):
    out_file, markdown = tmp_path / "bench.json", tmp_path / "benchmarks.md"
    output = call(BenchCommand(), "--only", "units", "--out", str(out_file), "--markdown", str(markdown))
    data = json.loads(out_file.read_text())
    (row,) = data["rows"]
    assert row["measure"] in output
    assert row["unit"] == "ms" and row["value"] > 0 and row["baseline"] > 0 and row["passed"] in (True, False)
    assert data["machine"]["cpus"] >= 1 and data["machine"]["database"]
    assert set(data["data"]) == {"children", "supports", "donations", "ledger entries"}
    table = markdown.read_text()
    assert table.startswith("# Benchmarks") and f"| {row['measure']} | {row['value']:g} | ms |" in table


def test_bench_with_an_unknown_name_is_refused(tmp_path):
    with pytest.raises(CommandError):
        call(BenchCommand(), "--only", "nope", "--out", str(tmp_path / "x.json"))


def test_the_reports_benchmark_renders_in_a_process_started_from_the_repository():
    """Its PDF is rendered by `python -c` in `ROOT`, which imports `bench.settings` from the working
    directory: from `bench/` itself (its place before the benchmarks moved into the app) it could not."""
    import subprocess
    import sys

    from bench.benchmarks.reports import ROOT

    assert (ROOT / "manage.py").is_file() and (ROOT / "bench" / "settings.py").is_file()
    found = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); import reports.documents.pdf; print('ok')"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "bench.settings"},
        capture_output=True,
        text=True,
    )
    assert found.stdout.strip() == "ok", found.stderr


def test_a_benchmark_that_stops_is_told_and_the_others_still_run(tmp_path, monkeypatch):
    from bench.management.commands import bench as command
    from bench.measure import Measure

    def broken():
        raise RuntimeError("the data set is missing")

    def working():
        return [Measure("working: one row", 1.0, "ms", target=5)]

    registry = [("broken", broken), ("working", working)]
    monkeypatch.setattr(command, "REGISTRY", registry)
    out_file, errors = tmp_path / "bench.json", StringIO()
    with pytest.raises(CommandError, match="broken"):
        call_command(
            BenchCommand(),
            "--only",
            "broken",
            "--only",
            "working",
            "--out",
            str(out_file),
            stdout=StringIO(),
            stderr=errors,
        )
    data = json.loads(out_file.read_text())
    assert [row["measure"] for row in data["rows"]] == ["working: one row"]
    assert data["stopped"] == {"broken": "RuntimeError: the data set is missing"}
    assert "the data set is missing" in errors.getvalue() and "Traceback" in errors.getvalue()
