"""Benchmarks run by `make bench` (`manage.py bench`): one table, one JSON file.

Each area adds measures in its own `bench/benchmarks/<area>.py` with `@benchmark`; a measure
returns one
or more `Measure` rows, each with its target and, where the issue names one, the baseline
measured in the same run.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

REGISTRY: list[tuple[str, Callable[[], list[Measure]]]] = []


def peak_rss_mb() -> float:
    """The peak resident memory of this process's program, in MB: the VmHWM of its memory (Linux),
    since the start or the last `peak_rss_reset()`.

    Not `ru_maxrss` where there is a choice: across the fork and exec that start a program, Linux
    keeps the parent's high-water mark in it, so a process started by the benchmark command would
    report the command's 430 MB as its own. Elsewhere `ru_maxrss` is what there is."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # Unix only

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**20 if sys.platform == "darwin" else 1024)


def peak_rss_reset() -> float:
    """Start a new peak here, so that `peak_rss_mb()` afterwards is a measure's own and not that of
    whatever ran before it in the process (Linux: the high-water mark drops to what the process
    holds now). Returns the memory the process holds now, in MB; where the peak cannot be reset,
    the peak so far."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass
    return peak_rss_mb()


@dataclass
class Measure:
    measure: str
    value: float
    unit: str
    target: float | None = None
    #: "max": the value must stay at or under the target (times); "min": at or over it (rates).
    bound: str = "max"
    baseline: float | None = None
    baseline_label: str = ""
    note: str = field(default="")

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target if self.bound == "max" else self.value >= self.target

    @property
    def ratio(self) -> float | None:
        """How many times better than the baseline (above 1 is better), when there is one."""
        if not self.baseline or not self.value:
            return None
        return self.baseline / self.value if self.bound == "max" else self.value / self.baseline

    def as_row(self) -> dict:
        row = asdict(self)
        row.update(passed=self.passed, ratio=None if self.ratio is None else round(self.ratio, 2))
        return row


def benchmark(name: str):
    def register(func):
        REGISTRY.append((name, func))
        return func

    return register


def timed(func: Callable[[], object], *, repeat: int = 1) -> list[float]:
    """Wall-clock milliseconds of each of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return times


def percentile(values: list[float], pct: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def p95_measure(
    name: str,
    times: list[float],
    *,
    target: float,
    note: str,
    baseline: list[float] | None = None,
    label: str = "",
) -> Measure:
    """One case's row: its p95 in milliseconds against `target`, the p50, max and count in the note,
    beside the p95 of `baseline` when there is one (issue 20: per case, never averaged across cases)."""
    return Measure(
        name,
        round(percentile(times, 95), 1),
        "ms",
        target=target,
        baseline=round(percentile(baseline, 95), 1) if baseline else None,
        baseline_label=label if baseline else "",
        note=f"{note}; p50 {percentile(times, 50):.1f} ms, max {max(times):.1f} ms; {len(times)} requests",
    )
