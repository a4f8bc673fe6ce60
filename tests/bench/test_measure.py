"""`bench.measure.peak_rss_mb` and `peak_rss_reset`: each measure reports its own peak memory."""

import subprocess
import sys
from pathlib import Path

import pytest

from bench.measure import peak_rss_mb, peak_rss_reset

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
from bench.measure import peak_rss_mb
print(peak_rss_mb())
"""
pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="a process's own peak is read from /proc (Linux)"
)


def _ballast(mb: int) -> bytearray:
    ballast = bytearray(mb * 2**20)
    ballast[:: 2**12] = b"x" * len(range(0, len(ballast), 2**12))  # every page resident
    return ballast


def test_a_child_process_reports_its_own_peak_not_its_parents():
    ballast = _ballast(300)
    try:
        assert peak_rss_mb() > 300
        result = subprocess.run(
            [sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
        )
    finally:
        del ballast
    # ru_maxrss in the same child says over 300 MB on Linux: the parent's mark, kept across the exec.
    assert float(result.stdout) < 100


def test_a_reset_starts_a_new_peak_from_what_the_process_holds_now():
    ballast = _ballast(200)
    del ballast
    assert peak_rss_mb() > 200
    now = peak_rss_reset()
    assert now < peak_rss_mb() + 1 and peak_rss_mb() < now + 50
    ballast = _ballast(100)
    try:
        assert peak_rss_mb() > now + 90
    finally:
        del ballast
