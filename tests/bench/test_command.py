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
