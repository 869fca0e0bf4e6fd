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


def test_steal_above_the_threshold_flags_the_case_with_its_worst_and_median_run() -> None:
    runs = [run_with_steal(s) for s in (0.01, 0.30, 0.12)]
    assert [f for f in case_flags(runs) if isinstance(f, Stolen)] == [Stolen(worst=0.30, median=0.12)]


def test_steal_at_or_below_the_threshold_or_unread_flags_nothing() -> None:
    runs = [run_with_steal(s) for s in (0.0, STEAL, None)]
    assert not [f for f in case_flags(runs) if isinstance(f, Stolen)]
