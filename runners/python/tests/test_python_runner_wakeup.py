"""Wake-up error reproduces schema/wakeup_vectors.json exactly, through the runner's own code."""

from __future__ import annotations

import json
from array import array
from typing import Any

import pytest
from python_runner_harness import SCHEMA_DIR

from concbench_runner.task_timing import TaskTimes, stamp_figures, wait_ns, wakeup_figures

VECTORS: list[dict[str, Any]] = json.loads((SCHEMA_DIR / "wakeup_vectors.json").read_text())["vectors"]


def test_vectors_are_present() -> None:
    assert len(VECTORS) >= 5


@pytest.mark.parametrize("case", VECTORS, ids=[case["name"] for case in VECTORS])
def test_wakeup_vectors(case: dict[str, Any]) -> None:
    """The path an io run takes: woke is the finished stamp, the figures come from the stamp arrays."""
    started, woke = case["started_ns"], case["woke_ns"]
    times = TaskTimes(len(started))
    times.submitted[:] = array("q", started)
    times.started[:] = array("q", started)
    times.finished[:] = array("q", woke)
    _latency, wakeup = stamp_figures(times, wait_ns(case["io_ms"]))
    assert wakeup == case["expected"]


@pytest.mark.parametrize("case", VECTORS, ids=[case["name"] for case in VECTORS])
def test_wakeup_vectors_through_woke_stamps(case: dict[str, Any]) -> None:
    """The path a mixed run takes: woke has its own stamps, and finished comes later (the CPU work)."""
    started, woke = case["started_ns"], case["woke_ns"]
    times = TaskTimes(len(started), woke=True)
    assert times.woke is not None
    times.submitted[:] = array("q", started)
    times.started[:] = array("q", started)
    times.woke[:] = array("q", woke)
    # Work of uneven length after each wake-up: the service times no longer order the waits.
    times.finished[:] = array("q", [stamp + 7_000_000 * (len(woke) - index) for index, stamp in enumerate(woke)])
    _latency, wakeup = stamp_figures(times, wait_ns(case["io_ms"]))
    assert wakeup == case["expected"]


@pytest.mark.parametrize("case", VECTORS, ids=[case["name"] for case in VECTORS])
def test_wakeup_vectors_in_any_order(case: dict[str, Any]) -> None:
    waited = sorted(woke - started for started, woke in zip(case["started_ns"], case["woke_ns"], strict=True))
    assert wakeup_figures(waited, wait_ns(case["io_ms"])) == case["expected"]


@pytest.mark.parametrize(
    ("io_ms", "expected"),
    [(10, 10_000_000), (0.5, 500_000), (2.5, 2_500_000), (0.1, 100_000), (1e-6, 1), (1.5e-6, 2), (1e-7, 0)],
)
def test_wait_ns_rounds_to_the_nearest_ns(io_ms: float, expected: int) -> None:
    assert wait_ns(io_ms) == expected


def test_cpu_has_no_wakeup() -> None:
    times = TaskTimes(2)
    times.submitted[:] = array("q", [1, 2])
    times.started[:] = array("q", [3, 4])
    times.finished[:] = array("q", [5, 6])
    assert stamp_figures(times, None)[1] is None
