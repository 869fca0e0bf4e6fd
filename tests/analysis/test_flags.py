"""BenchExec-style flags of a case, from its runs' checks."""

from __future__ import annotations

from dataclasses import replace

from concbench_poly.analysis.flags import STEAL, Stolen, case_flags
from concbench_poly.results.model import HostChecks, Measurement
from tests.factories import ok


def run_with_steal(steal: float | None) -> Measurement:
    measurement = ok().measurement
    assert measurement is not None
    return replace(measurement, host_checks=HostChecks(None, None, None, None, steal))


def test_a_median_run_above_the_threshold_flags_the_case_with_its_median_and_worst_run() -> None:
    runs = [run_with_steal(s) for s in (0.01, 0.30, 0.12)]
    assert [f for f in case_flags(runs) if isinstance(f, Stolen)] == [Stolen(worst=0.30, median=0.12)]


def test_one_stolen_run_or_a_median_at_the_threshold_or_nothing_read_flags_nothing() -> None:
    for steals in ((0.0, 0.25, 0.0), (0.0, STEAL, STEAL), (None, None)):
        runs = [run_with_steal(s) for s in steals]
        assert not [f for f in case_flags(runs) if isinstance(f, Stolen)], steals
