"""The benchmark's rolled-back measures (`bench.rollback`): a median of several runs, each rolled back."""

import pytest

from bench.rollback import median_in_rollback, runs_note
from fund_portal.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def test_a_median_in_rollback_runs_the_measure_each_time_and_leaves_nothing():
    made = []

    def write():
        made.append(
            AdministrativeUnit.objects.create(
                code=f"9{len(made)}", name="Đơn vị thử", level="province", path=f"9{len(made)}/"
            )
        )
        return len(made)

    median, times, last = median_in_rollback(write, runs=3)
    assert len(times) == 3 and median == sorted(times)[1] and last == 3
    assert not AdministrativeUnit.objects.filter(name="Đơn vị thử").exists()  # each run rolled back
    assert runs_note([1.24, 3.0, 2.0]) == "median of 3 runs: 1.2 / 3.0 / 2.0 s"
