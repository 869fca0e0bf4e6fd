"""Peak concurrency reproduces schema/concurrency_vectors.json exactly; submit_ms is window open to last submission."""

from __future__ import annotations

import json
from array import array
from typing import Any

import pytest
from python_runner_harness import SCHEMA_DIR

from concbench_runner.peak_concurrency import concurrency_document, peak_overlap, submit_ms
from concbench_runner.task_timing import TaskTimes

VECTORS: list[dict[str, Any]] = json.loads((SCHEMA_DIR / "concurrency_vectors.json").read_text())["cases"]


def test_vectors_are_present() -> None:
    assert len(VECTORS) >= 8


@pytest.mark.parametrize("case", VECTORS, ids=[case["name"] for case in VECTORS])
def test_concurrency_vectors(case: dict[str, Any]) -> None:
    begins = [begin for begin, _ in case["intervals"]]
    ends = [end for _, end in case["intervals"]]
    assert peak_overlap(begins, ends) == case["expected"]
    # Input order does not matter.
    assert peak_overlap(begins[::-1], ends[::-1]) == case["expected"]


def test_no_intervals_have_no_peak() -> None:
    assert peak_overlap([], []) == 0


@pytest.mark.parametrize(("begins", "ends"), [([0, 5], [10]), ([10], [9])])
def test_rejects_malformed_intervals(begins: list[int], ends: list[int]) -> None:
    with pytest.raises(ValueError):
        peak_overlap(begins, ends)


def test_document_uses_started_and_submitted() -> None:
    # Pool of one: three tasks submitted at 100..102 ns (window opened at 100), run one after another.
    times = TaskTimes(3)
    times.submitted[:] = array("q", [100, 101, 102])
    times.started[:] = array("q", [101, 111, 121])
    times.finished[:] = array("q", [111, 121, 131])
    assert concurrency_document(times, 100) == {"peak_running": 1, "peak_in_flight": 3, "submit_ms": 2e-6}


def test_submit_ms_is_window_open_to_last_submission() -> None:
    # Any order; float ms, never truncated.
    assert submit_ms([1_500_000, 2_250_001, 0], 0) == 2.250001
    assert submit_ms([7], 7) == 0.0


@pytest.mark.parametrize(("submitted", "opened"), [([], 0), ([5, 9], 6)])
def test_submit_ms_rejects_missing_or_early_submissions(submitted: list[int], opened: int) -> None:
    with pytest.raises(ValueError):
        submit_ms(submitted, opened)
