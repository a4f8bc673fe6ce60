"""`fund_portal.bench.peak_rss_mb`: a process started by the benchmark reports its own peak memory."""

import subprocess
import sys
from pathlib import Path

from fund_portal.bench import peak_rss_mb

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
from fund_portal.bench import peak_rss_mb
print(peak_rss_mb())
"""


def test_a_child_process_reports_its_own_peak_not_its_parents():
    ballast = bytearray(300 * 2**20)
    ballast[:: 2**12] = b"x" * len(range(0, len(ballast), 2**12))  # every page resident
    assert peak_rss_mb() > 300

    result = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    # ru_maxrss in the same child says over 300 MB on Linux: the parent's mark, kept across the exec.
    assert float(result.stdout) < 100
    del ballast
